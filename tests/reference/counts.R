# Reference values for evalkit.stats.counts.poisson_panel
# (Poisson GLM, log link, offset log(exposure), cluster-robust covariance by client).
#
# Run from the repository root:  Rscript tests/reference/counts.R
# Reads  tests/reference/data/panel.csv
# Writes tests/reference/expected/counts_poisson.csv
#
# Columns of the output: spec (model × covariance), quantity (rate_ratio_<group>,
# did_rate_ratio, rate_<group>_<period>, coef_<name>), log_estimate, se (of the log),
# estimate, ci_low, ci_high (exponentiated; rates per person-month = 30.4375 days),
# n_clients. Wald intervals with qnorm(0.975).

suppressPackageStartupMessages({
  library(sandwich)
  library(geepack)
})

d <- read.csv("tests/reference/data/panel.csv", stringsAsFactors = FALSE)
d$post <- as.integer(d$period == "post")
d$treat <- as.integer(d$group == "intervention")
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
days_per_month <- 30.4375
z <- qnorm(0.975)

# One row per linear combination l'b of the coefficients.
combo <- function(spec, b, V, name, weights, scale = 1, n_clients = NA) {
  l <- setNames(numeric(length(b)), names(b))
  l[names(weights)] <- unlist(weights)
  est <- sum(l * b)
  se <- sqrt(drop(t(l) %*% V %*% l))
  data.frame(spec = spec, quantity = name, log_estimate = est, se = se,
             estimate = scale * exp(est), ci_low = scale * exp(est - z * se),
             ci_high = scale * exp(est + z * se), n_clients = n_clients)
}

n_cl <- function(rows) length(unique(d$client_id[rows]))
is_int <- d$group == "intervention"
is_cmp <- d$group == "comparison"

two_group_rows <- function(spec, fit, V, with_rates = TRUE) {
  b <- coef(fit)
  out <- list(
    combo(spec, b, V, "rate_ratio_comparison", list(post = 1), n_clients = n_cl(is_cmp)),
    combo(spec, b, V, "rate_ratio_intervention", list(post = 1, `post:treat` = 1),
          n_clients = n_cl(is_int)),
    combo(spec, b, V, "did_rate_ratio", list(`post:treat` = 1), n_clients = n_cl(TRUE))
  )
  if (with_rates) {
    out <- c(out, list(
      combo(spec, b, V, "rate_comparison_pre", list(`(Intercept)` = 1), days_per_month,
            n_cl(is_cmp & d$post == 0)),
      combo(spec, b, V, "rate_comparison_post", list(`(Intercept)` = 1, post = 1),
            days_per_month, n_cl(is_cmp & d$post == 1)),
      combo(spec, b, V, "rate_intervention_pre", list(`(Intercept)` = 1, treat = 1),
            days_per_month, n_cl(is_int & d$post == 0)),
      combo(spec, b, V, "rate_intervention_post",
            list(`(Intercept)` = 1, post = 1, treat = 1, `post:treat` = 1),
            days_per_month, n_cl(is_int & d$post == 1))
    ))
  }
  for (nm in names(b)) {
    out[[length(out) + 1]] <- combo(spec, b, V, paste0("coef_", nm), setNames(list(1), nm))
  }
  do.call(rbind, out)
}

results <- list()

# --- Unadjusted two-group model: log mu = b0 + b1 post + b2 treat + b3 post:treat -------
fit <- glm(visits ~ post * treat, family = poisson, offset = log(exposure_days),
           data = d, control = ctrl)
stopifnot(fit$converged)

# vcovCL's default for a glm object is type = "HC0" with cadjust = TRUE, i.e. the
# G/(G-1) factor only (checked below against the default call).
V_g <- vcovCL(fit, cluster = ~client_id, type = "HC0", cadjust = TRUE)
stopifnot(isTRUE(all.equal(V_g, vcovCL(fit, cluster = ~client_id), tolerance = 1e-14)))
results$g <- two_group_rows("poisson_g", fit, V_g)

# type = "HC1" adds (n-1)/(n-k): G/(G-1) * (n-1)/(n-k), statsmodels' cov_type="cluster".
V_gn <- vcovCL(fit, cluster = ~client_id, type = "HC1", cadjust = TRUE)
results$gn <- two_group_rows("poisson_g_n", fit, V_gn)

# No small-sample factor at all.
V_none <- vcovCL(fit, cluster = ~client_id, type = "HC0", cadjust = FALSE)
results$none <- two_group_rows("poisson_none", fit, V_none)

# The same model as a GEE with independence working correlation (geepack needs the rows
# of a cluster to be contiguous). Its robust ("san.se") covariance has no small-sample
# factor, so it must equal V_none.
ds <- d[order(d$client_id, d$post), ]
gee <- geeglm(visits ~ post * treat + offset(log(exposure_days)), id = factor(ds$client_id),
              family = poisson, corstr = "independence", data = ds)
V_gee <- gee$geese$vbeta
dimnames(V_gee) <- list(names(coef(gee)), names(coef(gee)))
stopifnot(max(abs(coef(gee) - coef(fit))) < 1e-6)
stopifnot(max(abs(V_gee - V_none)) < 1e-8 * max(abs(V_none)))
results$gee <- two_group_rows("poisson_geeglm", gee, V_gee)

# --- Covariate-adjusted model: + age + factor(sex) (reference level "F") ----------------
fit_adj <- glm(visits ~ post * treat + age + factor(sex), family = poisson,
               offset = log(exposure_days), data = d, control = ctrl)
stopifnot(fit_adj$converged)
V_adj <- vcovCL(fit_adj, cluster = ~client_id, type = "HC0", cadjust = TRUE)
results$adj <- two_group_rows("poisson_adjusted_g", fit_adj, V_adj, with_rates = FALSE)

# --- One group only (no comparison group): log mu = b0 + b1 post ------------------------
di <- d[is_int, ]
fit_one <- glm(visits ~ post, family = poisson, offset = log(exposure_days), data = di,
               control = ctrl)
V_one <- vcovCL(fit_one, cluster = ~client_id, type = "HC0", cadjust = TRUE)
b <- coef(fit_one)
results$one <- rbind(
  combo("poisson_single_g", b, V_one, "rate_ratio_intervention", list(post = 1),
        n_clients = length(unique(di$client_id))),
  combo("poisson_single_g", b, V_one, "rate_intervention_pre", list(`(Intercept)` = 1),
        days_per_month, length(unique(di$client_id[di$post == 0]))),
  combo("poisson_single_g", b, V_one, "rate_intervention_post",
        list(`(Intercept)` = 1, post = 1), days_per_month,
        length(unique(di$client_id[di$post == 1])))
)

out <- do.call(rbind, results)
write.csv(out, "tests/reference/expected/counts_poisson.csv", row.names = FALSE)
cat("wrote tests/reference/expected/counts_poisson.csv:", nrow(out), "rows\n")
cat(R.version.string, "| sandwich", as.character(packageVersion("sandwich")),
    "| geepack", as.character(packageVersion("geepack")), "\n")
