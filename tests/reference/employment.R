# Reference values for evalkit.measures.employment (client_outcomes and the employment
# measure's survival / proportion rows): an independent R re-implementation.
#
# Run from the repository root:  Rscript tests/reference/employment.R
# Reads  tests/reference/data/employment_clients.csv, employment_episodes.csv
# Writes tests/reference/expected/employment_clients.csv (one row per enrolled client and
#        follow-up variant) and expected/employment.csv (summary rows)
#
# Rules re-implemented here (measures/employment.py docstring):
#   * enrolled = index_date present; follow-up end = min(followup_end, cut-off
#     2024-12-31[, index + followup_days]);
#   * employed = a competitive / self_employed episode starting in [index, follow-up end]
#     (jobs that started before the index date do not count, even if still ongoing);
#   * progressed = employed or a study / volunteer / work_trial episode in the same window;
#   * time = first such start - index (event) or follow-up end - index (censored);
#   * weeks worked = union of [start, min(end, follow-up end)] of those jobs, inclusive days / 7;
#     longest job = max inclusive days / 7; hours = day-weighted mean; wages = sum wage * days / 30.4375.
#   * survfit(Surv(time, event) ~ 1): print median (summary(fit)$table), 1 - S(t) at 90 / 180 / 365
#     (summary(fit, times)); coxph(Surv(time, event) ~ group, ties = "efron");
#   * Wilson = prop.test(x, n, correct = FALSE)$conf.int; Newcombe (1998) method 10 from
#     those limits; Katz RR by its formula.

suppressPackageStartupMessages(library(survival))
cat("R", R.version$major, R.version$minor, "survival", as.character(packageVersion("survival")), "\n")

cl <- read.csv("tests/reference/data/employment_clients.csv", colClasses = "character")
ep <- read.csv("tests/reference/data/employment_episodes.csv", colClasses = "character")
cutoff <- as.Date("2024-12-31")
jobs_st <- c("competitive", "self_employed")
prog_st <- c("study", "volunteer", "work_trial")

outcomes <- function(followup_days = NA) {
  en <- cl[cl$index_date != "", ]
  idx <- as.Date(en$index_date)
  own <- as.Date(ifelse(en$followup_end == "", NA, en$followup_end))
  fu <- pmin(own, cutoff, na.rm = TRUE)
  if (!is.na(followup_days)) fu <- pmin(fu, idx + followup_days)
  res <- vector("list", nrow(en))
  for (i in seq_len(nrow(en))) {
    e <- ep[ep$client_id == en$client_id[i], ]
    s <- as.Date(e$start_date)
    inwin <- s >= idx[i] & s <= fu[i]
    j <- e[inwin & e$status %in% jobs_st, ]
    prog <- any(inwin & e$status %in% c(jobs_st, prog_st))
    fud <- as.numeric(fu[i] - idx[i])
    if (nrow(j) > 0) {
      js <- as.numeric(as.Date(j$start_date) - idx[i])
      je <- ifelse(j$end_date == "", fud, pmin(as.numeric(as.Date(j$end_date) - idx[i]), fud))
      days <- je - js + 1
      covered <- unique(unlist(mapply(function(a, b) seq(a, b), js, je, SIMPLIFY = FALSE)))
      h <- as.numeric(j$hours_per_week); w <- as.numeric(j$monthly_wage_eur)
      res[[i]] <- data.frame(client_id = en$client_id[i], group = en$group[i], employed = TRUE,
                             progressed = TRUE, days_to_first_job = min(js), event = 1,
                             followup_days = fud, time = min(js), weeks_worked = length(covered) / 7,
                             longest_job_weeks = max(days) / 7,
                             hours_per_week = if (any(is.na(h))) NA else sum(h * days) / sum(days),
                             works_20h_or_more = if (any(is.na(h))) NA else any(h >= 20),
                             total_wages_eur = if (any(is.na(w))) NA else sum(w * days / 30.4375))
    } else {
      res[[i]] <- data.frame(client_id = en$client_id[i], group = en$group[i], employed = FALSE,
                             progressed = prog, days_to_first_job = NA, event = 0, followup_days = fud,
                             time = fud, weeks_worked = 0, longest_job_weeks = NA, hours_per_week = NA,
                             works_20h_or_more = NA, total_wages_eur = NA)
    }
  }
  do.call(rbind, res)
}

rows <- list()
add <- function(variant, quantity, group, estimate, ci_low = NA, ci_high = NA, n = NA) {
  rows[[length(rows) + 1]] <<- data.frame(variant = variant, quantity = quantity, group = group,
                                          estimate = estimate, ci_low = ci_low, ci_high = ci_high, n = n)
}
wilson <- function(x, n) suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int

per_client <- list()
for (variant in c("all", "365")) {
  o <- outcomes(if (variant == "all") NA else 365)
  per_client[[variant]] <- cbind(variant = variant, o)
  for (g in c("all", "intervention", "comparison")) {
    s <- if (g == "all") o else o[o$group == g, ]
    n <- nrow(s)
    for (q in c("employed", "progressed")) {
      x <- sum(s[[q]]); ci <- wilson(x, n)
      add(variant, q, g, x / n, ci[1], ci[2], n)
    }
    fit <- survfit(Surv(time, event) ~ 1, data = s)
    tab <- summary(fit)$table
    add(variant, "median_days", g, tab[["median"]], tab[["0.95LCL"]], tab[["0.95UCL"]], n)
    for (t in c(90, 180, 365)) {
      sm <- summary(fit, times = t)
      add(variant, sprintf("employed_by_%dd", t), g, 1 - sm$surv, 1 - sm$upper, 1 - sm$lower, n)
    }
  }
  i <- o[o$group == "intervention", ]; k <- o[o$group == "comparison", ]
  x1 <- sum(i$employed); n1 <- nrow(i); x2 <- sum(k$employed); n2 <- nrow(k)
  p1 <- x1 / n1; p2 <- x2 / n2; w1 <- wilson(x1, n1); w2 <- wilson(x2, n2)
  add(variant, "risk_difference", "all", p1 - p2, p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
      p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2), n1 + n2)
  se <- sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
  add(variant, "risk_ratio", "all", p1 / p2, exp(log(p1 / p2) - qnorm(0.975) * se),
      exp(log(p1 / p2) + qnorm(0.975) * se), n1 + n2)
  o$grp <- factor(o$group, levels = c("comparison", "intervention"))
  cx <- coxph(Surv(time, event) ~ grp, data = o, ties = "efron")
  ci <- exp(confint(cx))
  add(variant, "hazard_ratio", "all", exp(coef(cx))[[1]], ci[1, 1], ci[1, 2], nrow(o))
}
dir.create("tests/reference/expected", showWarnings = FALSE)
write.csv(do.call(rbind, per_client), "tests/reference/expected/employment_clients.csv", row.names = FALSE)
write.csv(do.call(rbind, rows), "tests/reference/expected/employment.csv", row.names = FALSE)
cat("wrote expected/employment_clients.csv, expected/employment.csv\n")
