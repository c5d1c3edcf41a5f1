# Reference values for evalkit.stats.counts.negbin_panel
# (negative binomial NB2, log link, offset log(exposure), theta = 1/alpha estimated by ML).
#
# Run from the repository root:  Rscript tests/reference/negbin.R
# Reads  tests/reference/data/panel.csv
# Writes tests/reference/expected/counts_negbin.csv
#
# MASS::glm.nb alternates IRLS for the coefficients with theta.ml() for theta; theta.ml()
# stops when its Newton step is below .Machine$double.eps^0.25 (about 1e-4), and the final
# theta is solved at the fitted means of the previous alternation. The script checks that
# glm.nb's theta is nevertheless the ML solution to 1e-8 (relative) by re-solving
# theta.ml() with eps = 1e-12 at glm.nb's final fitted means (observed: about 1e-9).
#
# Covariances:
#   nb_model — vcov(fit): inverse expected information of the coefficients at the
#              estimated theta (what summary(glm.nb) reports);
#   nb_g     — sandwich::vcovCL(fit, cluster = ~client_id, type = "HC0", cadjust = TRUE):
#              cluster-robust by client, G/(G-1) factor, theta treated as known.

suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
})

d <- read.csv("tests/reference/data/panel.csv", stringsAsFactors = FALSE)
d$post <- as.integer(d$period == "post")
d$treat <- as.integer(d$group == "intervention")
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
days_per_month <- 30.4375
z <- qnorm(0.975)

combo <- function(spec, b, V, name, weights, scale = 1, n_clients = NA) {
  l <- setNames(numeric(length(b)), names(b))
  l[names(weights)] <- unlist(weights)
  est <- sum(l * b)
  se <- sqrt(drop(t(l) %*% V %*% l))
  data.frame(spec = spec, quantity = name, log_estimate = est, se = se,
             estimate = scale * exp(est), ci_low = scale * exp(est - z * se),
             ci_high = scale * exp(est + z * se), n_clients = n_clients)
}

n_cl <- function(data, rows) length(unique(data$client_id[rows]))

rows_for <- function(spec, fit, V, theta, data, two_groups = TRUE) {
  b <- coef(fit)
  is_int <- data$group == "intervention"
  is_cmp <- data$group == "comparison"
  out <- list()
  if (two_groups) {
    out <- list(
      combo(spec, b, V, "rate_ratio_comparison", list(post = 1), n_clients = n_cl(data, is_cmp)),
      combo(spec, b, V, "rate_ratio_intervention", list(post = 1, `post:treat` = 1),
            n_clients = n_cl(data, is_int)),
      combo(spec, b, V, "did_rate_ratio", list(`post:treat` = 1), n_clients = n_cl(data, TRUE))
    )
  } else {
    out <- list(combo(spec, b, V, "rate_ratio_intervention", list(post = 1),
                      n_clients = n_cl(data, TRUE)))
  }
  for (nm in names(b)) {
    out[[length(out) + 1]] <- combo(spec, b, V, paste0("coef_", nm), setNames(list(1), nm))
  }
  out[[length(out) + 1]] <- data.frame(spec = spec, quantity = "alpha", log_estimate = NA,
                                       se = NA, estimate = 1 / theta, ci_low = NA,
                                       ci_high = NA, n_clients = NA)
  do.call(rbind, out)
}

results <- list()

fit_nb <- function(formula, data) {
  f <- glm.nb(formula, data = data, control = ctrl)
  stopifnot(f$converged)
  th <- theta.ml(f$y, fitted(f), limit = 100, eps = 1e-12)
  stopifnot(abs(th - f$theta) < 1e-8 * f$theta)
  f
}

# --- Unadjusted two-group model ---------------------------------------------------------
f1 <- visits ~ post * treat + offset(log(exposure_days))
nb1 <- fit_nb(f1, d)
results$model <- rows_for("nb_model", nb1, vcov(nb1), nb1$theta, d)
results$g <- rows_for("nb_g", nb1,
                      vcovCL(nb1, cluster = d$client_id, type = "HC0", cadjust = TRUE),
                      nb1$theta, d)

# --- Covariate-adjusted -------------------------------------------------------------------
f2 <- visits ~ post * treat + age + factor(sex) + offset(log(exposure_days))
nb2 <- fit_nb(f2, d)
results$adj <- rows_for("nb_adjusted_g", nb2,
                        vcovCL(nb2, cluster = d$client_id, type = "HC0", cadjust = TRUE),
                        nb2$theta, d)

# --- One group only -----------------------------------------------------------------------
di <- d[d$group == "intervention", ]
f3 <- visits ~ post + offset(log(exposure_days))
nb3 <- fit_nb(f3, di)
results$one <- rows_for("nb_single_g", nb3,
                        vcovCL(nb3, cluster = di$client_id, type = "HC0", cadjust = TRUE),
                        nb3$theta, di, two_groups = FALSE)

out <- do.call(rbind, results)
write.csv(out, "tests/reference/expected/counts_negbin.csv", row.names = FALSE)
cat("wrote tests/reference/expected/counts_negbin.csv:", nrow(out), "rows\n")
cat(R.version.string, "| MASS", as.character(packageVersion("MASS")),
    "| sandwich", as.character(packageVersion("sandwich")), "\n")
