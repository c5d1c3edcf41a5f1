# Reference values for evalkit.stats.its.segmented_regression
# (segmented regression, Lopez Bernal, Cummins & Gasparrini 2017, with Newey–West errors).
#
# Run from the repository root:  Rscript tests/reference/its.R
# Reads  tests/reference/data/its_counts.csv, tests/reference/data/its_share.csv
# Writes tests/reference/expected/its.csv, tests/reference/expected/its_counterfactual.csv
#
# Terms (the same names as in Python):
#   time        months since the first month of the series (0, 1, 2, ...)
#   post        1 from the change month on
#   time_after  months since the change month in the post-period, 0 before
#   sinK, cosK  sin/cos(2*pi*K*m/12), m = calendar month 1..12, K = 1..harmonics
# Covariance: sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = ...), i.e.
# Bartlett weights 1 - l/(L+1), no VAR prewhitening, optional n/(n-k) factor; the rows
# are in month order, which is the order NeweyWest uses when order.by is not given.
# Intervals: coefficient +- qnorm(0.975) * se (exponentiate for Poisson rate ratios); the
# *_conservative rows: see coef_rows_conservative below.

suppressPackageStartupMessages(library(sandwich))
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
z <- qnorm(0.975)

source("tests/reference/its_terms.R")  # terms_for(): time, post, time_after, sinK, cosK

coef_rows <- function(spec, fit, V, lag) {
  b <- coef(fit)
  se <- sqrt(diag(V))
  data.frame(spec = spec, term = names(b), estimate = unname(b), se = unname(se),
             ci_low = unname(b - z * se), ci_high = unname(b + z * se), lag = lag,
             n_months = nobs(fit))
}

# The measures' rule (se = "conservative" in Python): the larger of the Newey–West and the
# lag-0 (HC0) standard error, both with adjust = TRUE (n/(n-k)), and qt(0.975, n - k).
coef_rows_conservative <- function(spec, fit, lag) {
  b <- coef(fit)
  se <- pmax(sqrt(diag(NeweyWest(fit, lag = lag, prewhite = FALSE, adjust = TRUE))),
             sqrt(diag(NeweyWest(fit, lag = 0, prewhite = FALSE, adjust = TRUE))))
  q <- qt(0.975, nobs(fit) - length(b))
  data.frame(spec = spec, term = names(b), estimate = unname(b), se = unname(se),
             ci_low = unname(b - q * se), ci_high = unname(b + q * se), lag = lag,
             n_months = nobs(fit))
}

out <- list()
cf <- list()

# --- Poisson: monthly visits, population offset, 2 harmonics, lag 3 ----------------------
counts <- read.csv("tests/reference/data/its_counts.csv", stringsAsFactors = FALSE)
tt <- terms_for(counts, "2022-09", 2)
f <- as.formula(paste("visits ~", paste(tt$rhs, collapse = " + "), "+ offset(log(population))"))
fit <- glm(f, family = poisson, data = tt$data, control = ctrl)
stopifnot(fit$converged)
out$p1 <- coef_rows("poisson_offset_k2_lag3", fit,
                    NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = FALSE), 3)
out$p2 <- coef_rows("poisson_offset_k2_lag3_adjust", fit,
                    NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE), 3)
out$p4 <- coef_rows_conservative("poisson_offset_k2_lag3_conservative", fit, 3)
# counterfactual: the same model with the level and slope change switched off
nd <- tt$data
nd$post <- 0
nd$time_after <- 0
cf$p1 <- data.frame(spec = "poisson_offset_k2_lag3", month = tt$data$month,
                    fitted = fitted(fit),
                    counterfactual = predict(fit, newdata = nd, type = "response"))

# --- Poisson without offset, no seasonality, lag 0 (= HC0) --------------------------------
tt0 <- terms_for(counts, "2022-09", 0)
fit0 <- glm(visits ~ time + post + time_after, family = poisson, data = tt0$data, control = ctrl)
out$p3 <- coef_rows("poisson_k0_lag0", fit0,
                    NeweyWest(fit0, lag = 0, prewhite = FALSE, adjust = FALSE), 0)

# --- Gaussian: monthly share within the limit, 1 harmonic, lag 3 --------------------------
share <- read.csv("tests/reference/data/its_share.csv", stringsAsFactors = FALSE)
ts <- terms_for(share, "2023-09", 1)
fs <- as.formula(paste("share ~", paste(ts$rhs, collapse = " + ")))
fit_s <- glm(fs, family = gaussian, data = ts$data, control = ctrl)
out$g1 <- coef_rows("gaussian_k1_lag3", fit_s,
                    NeweyWest(fit_s, lag = 3, prewhite = FALSE, adjust = FALSE), 3)
nd <- ts$data
nd$post <- 0
nd$time_after <- 0
cf$g1 <- data.frame(spec = "gaussian_k1_lag3", month = ts$data$month, fitted = fitted(fit_s),
                    counterfactual = predict(fit_s, newdata = nd, type = "response"))

# --- Gaussian weighted by cases, 2 harmonics, lag 2, adjust = TRUE ------------------------
ts2 <- terms_for(share, "2023-09", 2)
fs2 <- as.formula(paste("share ~", paste(ts2$rhs, collapse = " + ")))
fit_w <- glm(fs2, family = gaussian, weights = cases, data = ts2$data, control = ctrl)
out$g2 <- coef_rows("gaussian_weighted_k2_lag2_adjust", fit_w,
                    NeweyWest(fit_w, lag = 2, prewhite = FALSE, adjust = TRUE), 2)
out$g3 <- coef_rows_conservative("gaussian_weighted_k2_lag2_conservative", fit_w, 2)

res <- do.call(rbind, out)
write.csv(res, "tests/reference/expected/its.csv", row.names = FALSE)
write.csv(do.call(rbind, cf), "tests/reference/expected/its_counterfactual.csv", row.names = FALSE)
cat("wrote tests/reference/expected/its.csv:", nrow(res), "rows\n")
cat(R.version.string, "| sandwich", as.character(packageVersion("sandwich")), "\n")
