# Reference values for evalkit.stats.linear.
#
# Run from the repository root:  Rscript tests/reference/linear.R
# Reads  tests/reference/data/paired_scores.csv, tests/reference/data/longitudinal.csv
# Writes tests/reference/expected/linear.csv
#
# ANCOVA: lm(post ~ group + pre) with group a factor, reference "comparison"; confint(fit)
# (t interval, n - 3 df). Mixed model: lme4::lmer(score ~ factor(month) + (1 | client_id),
# REML = TRUE), vcov(fit), confint(fit, method = "Wald") (normal quantile). nlme::lme gives
# the same REML fit (checked below to 1e-6).

suppressPackageStartupMessages({library(lme4); library(nlme)})
rows <- list()
add <- function(spec, estimate, se, ci_low, ci_high) {
  rows[[length(rows) + 1]] <<- data.frame(spec = spec, estimate = estimate, se = se, ci_low = ci_low,
                                          ci_high = ci_high)
}
d <- read.csv("tests/reference/data/paired_scores.csv")
d$group <- factor(d$group, levels = c("comparison", "intervention"))
fit <- lm(post ~ group + pre, data = d)
ci <- confint(fit)["groupintervention", ]
add("ancova", coef(fit)[["groupintervention"]], sqrt(vcov(fit)[2, 2]), ci[[1]], ci[[2]])
ci90 <- confint(fit, level = 0.90)["groupintervention", ]
add("ancova_90", coef(fit)[["groupintervention"]], sqrt(vcov(fit)[2, 2]), ci90[[1]], ci90[[2]])

l <- read.csv("tests/reference/data/longitudinal.csv")
l$month <- factor(l$month, levels = c(0, 6, 12))
m <- lmer(score ~ month + (1 | client_id), data = l, REML = TRUE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
V <- as.matrix(vcov(m))
wald <- confint(m, method = "Wald")
for (lev in c("6", "12")) {
  term <- paste0("month", lev)
  add(paste0("mixed_0_", lev), fixef(m)[[term]], sqrt(V[term, term]), wald[term, 1], wald[term, 2])
}
# 6 -> 12 with month 6 as the baseline
l2 <- l; l2$month <- relevel(l2$month, ref = "6")
m2 <- lmer(score ~ month + (1 | client_id), data = l2, REML = TRUE)
w2 <- confint(m2, method = "Wald")
add("mixed_6_12", fixef(m2)[["month12"]], sqrt(vcov(m2)["month12", "month12"]), w2["month12", 1],
    w2["month12", 2])
nl <- lme(score ~ month, random = ~ 1 | client_id, data = l, method = "REML")
stopifnot(abs(fixef(nl)[["month12"]] - fixef(m)[["month12"]]) < 1e-6)

write.csv(do.call(rbind, rows), "tests/reference/expected/linear.csv", row.names = FALSE)
cat(sprintf("wrote tests/reference/expected/linear.csv; R %s, lme4 %s, nlme %s\n", getRversion(),
            packageVersion("lme4"), packageVersion("nlme")))
