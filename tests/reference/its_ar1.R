# Reference values for evalkit.stats.its.segmented_regression(se = "ar1") and
# evalkit.stats.its.ar1_gls: segmented regression with AR(1) errors by REML
# (generalised least squares, nlme::gls).
#
# Run from the repository root:  Rscript tests/reference/its_ar1.R
# Reads  tests/reference/data/its_share.csv (48 months, AR(1) noise on the logit scale)
# Writes tests/reference/expected/its_ar1.csv
#
# Terms as in its.R (time, post, time_after, sinK, cosK with m = calendar month).
# Model: gls(share ~ terms, correlation = corAR1(form = ~ time),
#            [weights = varFixed(~ 1/cases),] method = "REML")
# i.e. Var(e) = sigma^2 * diag(1/cases)^(1/2) R(phi) diag(1/cases)^(1/2),
# R(phi)[s, t] = phi^|s - t|. SEs: sqrt(diag(vcov(fit))); intervals
# coefficient +- qt(0.975, n - k) * se (what summary(fit) tests against).
# Tight optimiser tolerances so that phi is the REML maximiser to ~1e-8.
# lr, p_one_sided: restricted likelihood-ratio test of phi = 0 (anova() of the same gls
# without correlation, both REML), p = pchisq(lr, 1, lower.tail = FALSE) / 2 when phi > 0
# (evalkit's ItsResult.ar1_p_value).
# The poisson_* rows: the residual check of a Poisson segmented regression (its_counts.csv):
# gls on the working response of the glm, eta - log(population) + (y - mu)/mu, with
# varFixed(~ 1/mu) (phi, lr and p only).
#
# The *_wls_ar1 rows: the weighted least-squares (glm) estimates with the
# standard error of that estimator under the AR(1) covariance the gls fit
# estimated, sqrt(diag(A^-1 X' W S W X A^-1)), A = X' W X, W = diag(cases),
# S = sigma^2 W^-1/2 R(phi) W^-1/2 (evalkit's se = "conservative_ar1" takes the
# larger of this and the conservative Newey-West / HC0 standard error).

suppressPackageStartupMessages(library(nlme))
ctl <- glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 200, msMaxIter = 500,
                  returnObject = FALSE)

source("tests/reference/its_terms.R")  # terms_for(): time, post, time_after, sinK, cosK

ar1_rows <- function(spec, d, change, harmonics, weighted) {
  tt <- terms_for(d, change, harmonics)
  f <- as.formula(paste("share ~", paste(tt$rhs, collapse = " + ")))
  fit <- if (weighted) {
    gls(f, data = tt$data, correlation = corAR1(form = ~ time),
        weights = varFixed(~ 1 / cases), method = "REML", control = ctl)
  } else {
    gls(f, data = tt$data, correlation = corAR1(form = ~ time), method = "REML", control = ctl)
  }
  b <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  n <- nrow(tt$data)
  q <- qt(0.975, n - length(b))
  phi <- unname(coef(fit$modelStruct$corStruct, unconstrained = FALSE))
  fit0 <- if (weighted) {
    gls(f, data = tt$data, weights = varFixed(~ 1 / cases), method = "REML")
  } else {
    gls(f, data = tt$data, method = "REML")
  }
  lr <- 2 * (as.numeric(logLik(fit)) - as.numeric(logLik(fit0)))
  p1 <- if (phi > 0) pchisq(lr, 1, lower.tail = FALSE) / 2 else 1
  gls_rows <- data.frame(spec = spec, term = names(b), estimate = unname(b), se = unname(se),
                         ci_low = unname(b - q * se), ci_high = unname(b + q * se),
                         phi = phi, sigma = fit$sigma, n_months = n, lr = lr, p_one_sided = p1)
  # WLS estimator's SE under the fitted AR(1) covariance
  X <- model.matrix(f, tt$data)
  w <- if (weighted) tt$data$cases else rep(1, n)
  wls <- lm(f, data = tt$data, weights = w)
  R <- phi^abs(outer(tt$data$time, tt$data$time, "-"))
  S <- fit$sigma^2 * diag(1 / sqrt(w)) %*% R %*% diag(1 / sqrt(w))
  A_inv <- solve(t(X) %*% (w * X))
  V <- A_inv %*% t(X) %*% diag(w) %*% S %*% diag(w) %*% X %*% A_inv
  bw <- coef(wls)
  sew <- sqrt(diag(V))
  wls_rows <- data.frame(spec = paste0(spec, "_wls_ar1"), term = names(bw), estimate = unname(bw),
                         se = unname(sew), ci_low = unname(bw - q * sew), ci_high = unname(bw + q * sew),
                         phi = phi, sigma = fit$sigma, n_months = n, lr = lr, p_one_sided = p1)
  rbind(gls_rows, wls_rows)
}

share <- read.csv("tests/reference/data/its_share.csv", stringsAsFactors = FALSE)
out <- list(
  ar1_rows("gls_ar1_weighted_k2", share, "2023-09", 2, TRUE),
  ar1_rows("gls_ar1_k1", share, "2023-09", 1, FALSE),
  # first 30 months only, change 2022-01, no seasonality: a shorter series, a smaller phi
  ar1_rows("gls_ar1_weighted_k0_short", share[1:30, ], "2022-01", 0, TRUE)
)

# Poisson residual check on the linearised model
counts <- read.csv("tests/reference/data/its_counts.csv", stringsAsFactors = FALSE)
tc <- terms_for(counts, "2022-09", 2)
fc <- as.formula(paste("visits ~", paste(tc$rhs, collapse = " + "), "+ offset(log(population))"))
pfit <- glm(fc, family = poisson, data = tc$data, control = glm.control(epsilon = 1e-14, maxit = 100))
d <- tc$data
d$mu <- fitted(pfit)
d$z <- log(d$mu) - log(d$population) + (d$visits - d$mu) / d$mu
fz <- as.formula(paste("z ~", paste(tc$rhs, collapse = " + ")))
g1 <- gls(fz, data = d, correlation = corAR1(form = ~ time), weights = varFixed(~ 1 / mu),
          method = "REML", control = ctl)
g0 <- gls(fz, data = d, weights = varFixed(~ 1 / mu), method = "REML")
phi <- unname(coef(g1$modelStruct$corStruct, unconstrained = FALSE))
lr <- 2 * (as.numeric(logLik(g1)) - as.numeric(logLik(g0)))
out[[length(out) + 1]] <- data.frame(spec = "poisson_offset_k2_working", term = "post", estimate = NA, se = NA,
                                     ci_low = NA, ci_high = NA, phi = phi, sigma = g1$sigma,
                                     n_months = nrow(d), lr = lr,
                                     p_one_sided = if (phi > 0) pchisq(lr, 1, lower.tail = FALSE) / 2 else 1)
res <- do.call(rbind, out)
write.csv(res, "tests/reference/expected/its_ar1.csv", row.names = FALSE)
cat("wrote tests/reference/expected/its_ar1.csv:", nrow(res), "rows\n")
cat(R.version.string, "| nlme", as.character(packageVersion("nlme")), "\n")
