# Reference values for evalkit.stats.intervals.
#
# Run from the repository root:  Rscript tests/reference/intervals.R
# Reads  tests/reference/data/paired_scores.csv
# Writes tests/reference/expected/intervals.csv
#
# binom / PropCIs are not packaged for Debian, so:
#   * Wilson          = suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int (base R stats);
#   * Newcombe (1998) method 10 is built from those prop.test limits (the test also checks
#     published Table II examples a, b and d of Newcombe 1998, Stat Med 17:873-890);
#   * Katz risk ratio = metafor::escalc(measure = "RR", add = 0) (yi = log RR, vi = var);
#   * mean / paired change = t.test;
#   * Cohen's d_z     = mean(d)/sd(d), interval by inverting pt(t, df, ncp) with uniroot;
#   * standardised mean change (baseline SD) = metafor::escalc(measure = "SMCR"), which
#     bias-corrects (Hedges); the uncorrected value is yi / c(n - 1), same variance formula
#     2(1 - r)/n + d^2/(2n) (Becker 1988), evaluated here by hand for the plain d.

suppressPackageStartupMessages(library(metafor))
z <- qnorm(0.975)
rows <- list()
add <- function(spec, fn, estimate, ci_low, ci_high, se = NA) {
  rows[[length(rows) + 1]] <<- data.frame(spec = spec, fn = fn, estimate = estimate, se = se,
                                          ci_low = ci_low, ci_high = ci_high)
}

# --- Wilson and Newcombe -------------------------------------------------------------------
props <- data.frame(x = c(0, 1, 3, 25, 56, 48, 9, 72, 73, 250),
                    n = c(10, 10, 7, 73, 70, 80, 10, 73, 73, 1000))
for (i in seq_len(nrow(props))) {
  x <- props$x[i]; n <- props$n[i]
  ci <- suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int
  add(sprintf("wilson_%d_%d", x, n), "wilson_interval", x / n, ci[1], ci[2])
  ci90 <- suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = 0.90))$conf.int
  add(sprintf("wilson90_%d_%d", x, n), "wilson_interval", x / n, ci90[1], ci90[2])
}
pairs <- data.frame(x1 = c(56, 9, 6, 5, 0, 0, 10, 10, 25, 120),
                    n1 = c(70, 10, 7, 56, 10, 10, 10, 10, 73, 400),
                    x2 = c(48, 3, 2, 0, 0, 0, 0, 0, 31, 95),
                    n2 = c(80, 10, 7, 29, 20, 10, 20, 10, 64, 410))
for (i in seq_len(nrow(pairs))) {
  with(pairs[i, ], {
    w1 <- suppressWarnings(prop.test(x1, n1, correct = FALSE))$conf.int
    w2 <- suppressWarnings(prop.test(x2, n2, correct = FALSE))$conf.int
    p1 <- x1 / n1; p2 <- x2 / n2; d <- p1 - p2
    lo <- d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2)
    hi <- d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2)
    add(sprintf("newcombe_%d_%d_%d_%d", x1, n1, x2, n2), "newcombe_difference", d, lo, hi)
    if (x1 > 0 && x2 > 0) {
      es <- escalc(measure = "RR", ai = x1, n1i = n1, ci = x2, n2i = n2, add = 0)
      add(sprintf("rr_%d_%d_%d_%d", x1, n1, x2, n2), "risk_ratio", exp(es$yi),
          exp(es$yi - z * sqrt(es$vi)), exp(es$yi + z * sqrt(es$vi)), sqrt(es$vi))
    }
  })
}

# --- means, paired change, effect sizes ----------------------------------------------------
d <- read.csv("tests/reference/data/paired_scores.csv")
for (g in c("intervention", "comparison")) {
  s <- d[d$group == g, ]
  tt <- t.test(s$post)
  add(paste0("mean_post_", g), "mean_interval", unname(tt$estimate), tt$conf.int[1], tt$conf.int[2],
      tt$stderr)
  tp <- t.test(s$post, s$pre, paired = TRUE)
  add(paste0("paired_", g), "paired_mean_change", unname(tp$estimate), tp$conf.int[1], tp$conf.int[2],
      tp$stderr)
  diff <- s$post - s$pre
  n <- length(diff)
  dz <- mean(diff) / sd(diff)
  tobs <- dz * sqrt(n)
  f <- function(ncp, prob) pt(tobs, n - 1, ncp) - prob
  lo <- uniroot(f, c(tobs - 20, tobs + 20), prob = 0.975, tol = 1e-12)$root / sqrt(n)
  hi <- uniroot(f, c(tobs - 20, tobs + 20), prob = 0.025, tol = 1e-12)$root / sqrt(n)
  add(paste0("dz_", g), "cohens_dz", dz, lo, hi)
  es <- escalc(measure = "SMCR", m1i = mean(s$post), m2i = mean(s$pre), sd1i = sd(s$pre), ni = n,
               ri = cor(s$pre, s$post))
  add(paste0("smcr_hedges_", g), "standardized_mean_change", es$yi, es$yi - z * sqrt(es$vi),
      es$yi + z * sqrt(es$vi), sqrt(es$vi))
  m <- n - 1
  cm <- exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))  # metafor's exact c(m)
  dd <- es$yi / cm
  v <- 2 * (1 - cor(s$pre, s$post)) / n + dd^2 / (2 * n)
  add(paste0("smcr_plain_", g), "standardized_mean_change", dd, dd - z * sqrt(v), dd + z * sqrt(v), sqrt(v))
}

out <- do.call(rbind, rows)
dir.create("tests/reference/expected", showWarnings = FALSE)
write.csv(out, "tests/reference/expected/intervals.csv", row.names = FALSE)
cat(sprintf("wrote tests/reference/expected/intervals.csv (%d rows); R %s, metafor %s\n", nrow(out),
            getRversion(), packageVersion("metafor")))
