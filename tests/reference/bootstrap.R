# Reference values for evalkit.stats.bootstrap
# (percentile bootstrap intervals; paired cost–effect bootstrap within groups; Wilcoxon).
#
# Run from the repository root:  Rscript tests/reference/bootstrap.R
# Reads  tests/reference/data/cost_effect.csv, tests/reference/data/wilcoxon.csv
# Writes tests/reference/expected/bootstrap.csv, tests/reference/expected/wilcoxon.csv
#
# Bootstrap: boot::boot with R = 100000 replicates (set.seed(1)), intervals from
# boot::boot.ci(type = "perc"). R's draws and evalkit's draws are different random
# streams, so the tests compare within Monte Carlo error (see tests/test_stats_bootstrap.py);
# boot_sd (the standard deviation of the R draws) is written so the test can size that error.
#
# Wilcoxon: wilcox.test(after, before, paired = TRUE) — differences after - before — with
# R's defaults (exact = NULL: exact p when n < 50 and there are no ties or zeros,
# correct = TRUE) and with the settings forced each way.

suppressPackageStartupMessages(library(boot))

B <- 100000
lambda <- 20000
ce <- read.csv("tests/reference/data/cost_effect.csv", stringsAsFactors = FALSE)
is_int <- ce$group == "intervention"

row <- function(quantity, b, index = 1) {
  ci <- boot.ci(b, type = "perc", index = index)$percent
  data.frame(quantity = quantity, estimate = b$t0[index], ci_low = ci[4], ci_high = ci[5],
             boot_sd = sd(b$t[, index]), n = nrow(as.matrix(b$data)), reps = b$R)
}

out <- list()

# 1. Mean of one sample: intervention-group costs.
x <- ce$cost[is_int]
set.seed(1)
b1 <- boot(x, function(d, i) mean(d[i]), R = B)
out$mean <- row("mean_cost_intervention", b1)

# 2. Difference of two independent means (resampling within each group: strata).
set.seed(2)
b2 <- boot(ce, function(d, i) {
  dd <- d[i, ]
  mean(dd$cost[dd$group == "intervention"]) - mean(dd$cost[dd$group == "comparison"])
}, R = B, strata = factor(ce$group))
out$diff <- row("mean_cost_difference", b2)

# 3. Paired (cost, effect) bootstrap within group: one resample of clients gives both the
#    cost and the effect means, so the draws of dC and dE keep their correlation.
set.seed(3)
b3 <- boot(ce, function(d, i) {
  dd <- d[i, ]
  ii <- dd$group == "intervention"
  cc <- dd$group == "comparison"
  dC <- mean(dd$cost[ii]) - mean(dd$cost[cc])
  dE <- mean(dd$effect[ii]) - mean(dd$effect[cc])
  c(mean(dd$cost[ii]), mean(dd$cost[cc]), mean(dd$effect[ii]), mean(dd$effect[cc]),
    dC, dE, lambda * dE - dC)
}, R = B, strata = factor(ce$group))
names3 <- c("mean_cost_intervention_paired", "mean_cost_comparison", "mean_effect_intervention",
            "mean_effect_comparison", "incremental_cost", "incremental_effect", "inmb_20000")
for (j in seq_along(names3)) out[[names3[j]]] <- row(names3[j], b3, j)
dC <- b3$t[, 5]
dE <- b3$t[, 6]
out$cor <- data.frame(quantity = "cor_incremental_cost_effect", estimate = cor(dC, dE),
                      ci_low = NA, ci_high = NA, boot_sd = NA, n = nrow(ce), reps = B)
out$ne <- data.frame(quantity = "share_ne_quadrant", estimate = mean(dC > 0 & dE > 0),
                     ci_low = NA, ci_high = NA, boot_sd = NA, n = nrow(ce), reps = B)
out$ceac <- data.frame(quantity = "prob_inmb_positive_20000", estimate = mean(lambda * dE - dC > 0),
                       ci_low = NA, ci_high = NA, boot_sd = NA, n = nrow(ce), reps = B)

res <- do.call(rbind, out)
write.csv(res, "tests/reference/expected/bootstrap.csv", row.names = FALSE)
cat("wrote tests/reference/expected/bootstrap.csv:", nrow(res), "rows\n")

# --- Wilcoxon signed-rank, paired -----------------------------------------------------------
w <- read.csv("tests/reference/data/wilcoxon.csv", stringsAsFactors = FALSE)
wrows <- list()
for (ds in unique(w$dataset)) {
  s <- w[w$dataset == ds, ]
  settings <- list(default = list(exact = NULL, correct = TRUE),
                   no_correction = list(exact = FALSE, correct = FALSE),
                   approx = list(exact = FALSE, correct = TRUE))
  for (alt in c("two.sided", "less", "greater")) {
    for (nm in names(settings)) {
      st <- settings[[nm]]
      r <- suppressWarnings(wilcox.test(s$after, s$before, paired = TRUE, exact = st$exact,
                                        correct = st$correct, alternative = alt))
      d <- s$after - s$before
      wrows[[length(wrows) + 1]] <- data.frame(
        dataset = ds, setting = nm, alternative = alt, statistic = unname(r$statistic),
        p_value = r$p.value, method = r$method, n_nonzero = sum(d != 0), n_zero = sum(d == 0))
    }
  }
}
wres <- do.call(rbind, wrows)
write.csv(wres, "tests/reference/expected/wilcoxon.csv", row.names = FALSE)
cat("wrote tests/reference/expected/wilcoxon.csv:", nrow(wres), "rows\n")
cat(R.version.string, "| boot", as.character(packageVersion("boot")), "\n")
