# Reference values for evalkit.stats.survival.
#
# Run from the repository root:  Rscript tests/reference/survival.R
# Reads  tests/reference/data/survival.csv
# Writes tests/reference/expected/survival_km.csv        (survfit curves, every row)
#        tests/reference/expected/survival_summary.csv   (quantiles, S(t), Cox hazard ratios)
#
# survfit(Surv(days, event) ~ 1) with its defaults: Greenwood std.err of log S,
# conf.type = "log", conf.int = 0.95. Quantiles: quantile(fit, probs) = what print(fit)
# shows for the median (its lower/upper come from the lower/upper curves). S(t):
# summary(fit, times = t). Cox: coxph(..., ties = "efron") (the default), Wald interval.

suppressPackageStartupMessages(library(survival))
d <- read.csv("tests/reference/data/survival.csv")
km_rows <- list(); sum_rows <- list()
addsum <- function(dataset, quantity, arg, estimate, ci_low, ci_high, se = NA) {
  sum_rows[[length(sum_rows) + 1]] <<- data.frame(dataset = dataset, quantity = quantity, arg = arg,
                                                  estimate = estimate, se = se, ci_low = ci_low,
                                                  ci_high = ci_high)
}
for (ds in unique(d$dataset)) {
  s <- d[d$dataset == ds, ]
  for (lev in c(0.95, 0.90)) {
    fit <- survfit(Surv(days, event) ~ 1, data = s, conf.int = lev)
    km_rows[[length(km_rows) + 1]] <- data.frame(dataset = ds, level = lev, time = fit$time,
      n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv,
      ci_low = fit$lower, ci_high = fit$upper)
    if (lev == 0.95) {
      med <- summary(fit)$table
      addsum(ds, "median_print", 0.5, med[["median"]], med[["0.95LCL"]], med[["0.95UCL"]])
      for (p in c(0.25, 0.5, 0.75, 0.9)) {
        q <- quantile(fit, probs = p)
        addsum(ds, "quantile", p, unname(q$quantile), unname(q$lower), unname(q$upper))
      }
      for (t in c(0, 1, 5, 14, 30, 60, 90)) {
        if (t <= max(s$days)) {
          sm <- summary(fit, times = t)
          addsum(ds, "survival_at", t, sm$surv, sm$lower, sm$upper, sm$std.err / sm$surv)
        }
      }
    } else {
      q <- quantile(fit, probs = 0.5)
      addsum(ds, "quantile_90", 0.5, unname(q$quantile), unname(q$lower), unname(q$upper))
    }
  }
}
w <- d[d$dataset == "waits", ]
w$group <- factor(w$group, levels = c("comparison", "intervention"))
for (spec in c("group", "group_age")) {
  f <- if (spec == "group") Surv(days, event) ~ group else Surv(days, event) ~ group + age
  fit <- coxph(f, data = w, ties = "efron")
  b <- coef(fit)[["groupintervention"]]; se <- sqrt(vcov(fit)["groupintervention", "groupintervention"])
  ci <- exp(confint(fit)["groupintervention", ])
  addsum("waits", paste0("cox_", spec), NA, exp(b), ci[[1]], ci[[2]], se)
}
# Breslow ties too, so the test can show the ties setting matters
fitb <- coxph(Surv(days, event) ~ group, data = w, ties = "breslow")
addsum("waits", "cox_group_breslow", NA, exp(coef(fitb)[[1]]), NA, NA, sqrt(vcov(fitb)[1, 1]))

write.csv(do.call(rbind, km_rows), "tests/reference/expected/survival_km.csv", row.names = FALSE)
write.csv(do.call(rbind, sum_rows), "tests/reference/expected/survival_summary.csv", row.names = FALSE)
cat(sprintf("wrote survival_km.csv, survival_summary.csv; R %s, survival %s\n", getRversion(),
            packageVersion("survival")))
