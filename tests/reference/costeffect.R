# Reference values for evalkit.stats.costeffect (ICER, INMB, CEAC, EVPI, quadrants, ICER interval).
#
# Run from the repository root:  Rscript tests/reference/costeffect.R
# Reads  tests/reference/data/costeffect_draws.csv, tests/reference/data/costeffect_points.csv
# Writes tests/reference/expected/costeffect.csv
#
# BCEA is not packaged for Debian, so this script re-implements, in base R, the formulas of
# BCEA 2.4 (bcea(): compute_U, compute_ib, compute_ceac, compute_vi / evi; the ICER as
# mean(delta_c) / mean(delta_e)), applied to the SAME draws evalkit reads: the comparison has
# no Monte Carlo error and must agree to floating-point precision.
#
#   U[s, l, j]  = k[l] * e[s, j] - c[s, j]                  net benefit (k = willingness to pay)
#   ib[s, l]    = U[s, l, intervention] - U[s, l, comparison]
#   ceac[l]     = mean(ib[, l] > 0)
#   vi[s, l]    = max_j U[s, l, j] - max_j mean_s U[s, l, j]
#   evi[l]      = mean(vi[, l])                              (EVPI per person)
#
# The ICER interval is the percentile interval of the draws ordered by their angle on the
# cost-effectiveness plane, measured from the point estimate's direction (Fenwick, O'Brien
# & Briggs 2004); NA when either limit ray leaves the point estimate's half-plane.

draws <- read.csv("tests/reference/data/costeffect_draws.csv", stringsAsFactors = FALSE)
points <- read.csv("tests/reference/data/costeffect_points.csv", stringsAsFactors = FALSE)
k <- c(0, 5000, 10000, 20000, 25000, 30000, 40000, 50000, 75000, 100000)
lambda <- 20000
level <- 0.95

out <- list()
add <- function(set, quantity, wtp, value) {
  out[[length(out) + 1]] <<- data.frame(set = set, quantity = quantity, wtp = wtp, value = value)
}

for (s in unique(draws$set)) {
  d <- draws[draws$set == s, ]
  p <- points[points$set == s, ]
  cmat <- cbind(d$cost_comparison, d$cost_intervention)   # columns: comparison, intervention
  emat <- cbind(d$effect_comparison, d$effect_intervention)
  delta_c <- cmat[, 2] - cmat[, 1]
  delta_e <- emat[, 2] - emat[, 1]
  dc0 <- p$cost_intervention - p$cost_comparison
  de0 <- p$effect_intervention - p$effect_comparison

  add(s, "icer_point", NA, dc0 / de0)
  add(s, "icer_bcea", NA, mean(delta_c) / mean(delta_e))  # BCEA's ICER (means of the draws)
  for (kk in k) {
    U <- kk * emat - cmat
    ib <- U[, 2] - U[, 1]
    vi <- apply(U, 1, max) - max(colMeans(U))
    add(s, "ceac", kk, mean(ib > 0))
    add(s, "evpi", kk, mean(vi))
    add(s, "inmb_point", kk, kk * de0 - dc0)
    q <- quantile(ib, c((1 - level) / 2, (1 + level) / 2), type = 7, names = FALSE)
    add(s, "inmb_low", kk, q[1])
    add(s, "inmb_high", kk, q[2])
  }
  axis <- delta_c == 0 | delta_e == 0
  add(s, "quadrant_ne", NA, mean(!axis & delta_e > 0 & delta_c > 0))
  add(s, "quadrant_se", NA, mean(!axis & delta_e > 0 & delta_c < 0))
  add(s, "quadrant_sw", NA, mean(!axis & delta_e < 0 & delta_c < 0))
  add(s, "quadrant_nw", NA, mean(!axis & delta_e < 0 & delta_c > 0))
  add(s, "quadrant_axis", NA, mean(axis))
  qc <- quantile(delta_c, c(0.025, 0.975), type = 7, names = FALSE)
  qe <- quantile(delta_e, c(0.025, 0.975), type = 7, names = FALSE)
  add(s, "delta_c_low", NA, qc[1]); add(s, "delta_c_high", NA, qc[2])
  add(s, "delta_e_low", NA, qe[1]); add(s, "delta_e_high", NA, qe[2])

  # angular percentile interval of the ICER
  sg <- sign(de0)
  theta0 <- atan2(sg * dc0, sg * de0)
  rel <- atan2(sg * delta_c, sg * delta_e) - theta0
  rel <- ((rel + pi) %% (2 * pi)) - pi
  qa <- theta0 + quantile(rel, c((1 - level) / 2, (1 + level) / 2), type = 7, names = FALSE)
  ok <- all(qa > -pi / 2 & qa < pi / 2)
  add(s, "icer_low", NA, if (ok) tan(qa[1]) else NA)
  add(s, "icer_high", NA, if (ok) tan(qa[2]) else NA)
}

res <- do.call(rbind, out)
write.csv(res, "tests/reference/expected/costeffect.csv", row.names = FALSE, na = "")
cat("R", R.version$major, ".", R.version$minor, "- wrote tests/reference/expected/costeffect.csv:",
    nrow(res), "rows\n")
