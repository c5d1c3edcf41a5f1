# Reference values for evalkit.measures.symptoms: an independent implementation of the
# scoring, pairing and NHS Talking Therapies rules, with the paired t interval, Wilson
# intervals, ANCOVA and the random-intercept mixed model on a symptoms-shaped dataset.
#
# Run from the repository root:  Rscript tests/reference/symptoms.R
# Reads  tests/reference/data/symptoms_questionnaires.csv, tests/reference/data/symptoms_clients.csv
# Writes tests/reference/expected/symptoms.csv
#
# Rules (domain reference): score = sum of complete items (spec "strict"), or with at most
# one missing item floor(mean(answered) * k + 0.5) (spec "prorate1"); a given total is used
# when no item is answered. Sessions = distinct session numbers (or dates where the session
# is empty) with any PHQ-9/GAD-7 row; paired = >= 2 sessions and >= 2 scores on both
# instruments; first/last = earliest/latest score by date. Caseness PHQ-9 >= 10 or GAD-7 >= 8;
# reliable change 6 / 4. Intervals: t.test (paired and one-sample), prop.test(correct = FALSE)
# (= Wilson), lm(last ~ group + first) with confint, lme4::lmer(score ~ factor(session) +
# (1 | client_id), REML = TRUE) with confint(method = "Wald").

suppressPackageStartupMessages(library(lme4))
q <- read.csv("tests/reference/data/symptoms_questionnaires.csv", stringsAsFactors = FALSE)
cl <- read.csv("tests/reference/data/symptoms_clients.csv", stringsAsFactors = FALSE)
K <- c("PHQ-9" = 9, "GAD-7" = 7)
CAS <- c("PHQ-9" = 10, "GAD-7" = 8)
RC <- c("PHQ-9" = 6, "GAD-7" = 4)
PFX <- c("PHQ-9" = "phq9", "GAD-7" = "gad7")
rows <- list()
add <- function(spec, indicator, group, estimate, ci_low, ci_high, n, numerator = NA) {
  rows[[length(rows) + 1]] <<- data.frame(spec = spec, indicator = indicator, group = group,
                                          estimate = estimate, ci_low = ci_low, ci_high = ci_high,
                                          n = n, numerator = numerator)
}

score_rows <- function(q, max_missing) {
  s <- rep(NA_real_, nrow(q))
  for (i in seq_len(nrow(q))) {
    k <- K[[q$instrument[i]]]
    it <- unlist(q[i, paste0("item_", 1:k)])
    ans <- sum(!is.na(it))
    if (ans == k) s[i] <- sum(it)
    else if (ans > 0 && (k - ans) <= max_missing) s[i] <- floor(mean(it, na.rm = TRUE) * k + 0.5)
    else if (ans == 0 && !is.na(q$total[i])) s[i] <- q$total[i]
  }
  s
}

run <- function(spec, max_missing) {
  d <- q
  d$score <- score_rows(d, max_missing)
  d$group <- cl$group[match(d$client_id, cl$client_id)]
  d$occ <- ifelse(is.na(d$session), d$date, as.character(d$session))
  d$date <- as.Date(d$date)
  d <- d[order(d$client_id, d$instrument, d$date), ]
  sessions <- tapply(d$occ, d$client_id, function(x) length(unique(x)))
  v <- d[!is.na(d$score), ]
  starters <- sort(unique(v$client_id))
  per <- data.frame(client_id = starters, group = cl$group[match(starters, cl$client_id)],
                    sessions = as.integer(sessions[starters]))
  for (inst in names(K)) {
    vi <- v[v$instrument == inst, ]
    p <- PFX[[inst]]
    per[[paste0(p, "_n")]] <- sapply(starters, function(c) sum(vi$client_id == c))
    per[[paste0(p, "_first")]] <- sapply(starters, function(c) { x <- vi$score[vi$client_id == c]; if (length(x)) x[1] else NA })
    per[[paste0(p, "_last")]] <- sapply(starters, function(c) { x <- vi$score[vi$client_id == c]; if (length(x)) x[length(x)] else NA })
  }
  per$paired <- per$sessions >= 2 & per$phq9_n >= 2 & per$gad7_n >= 2
  dp <- per$phq9_last - per$phq9_first
  dg <- per$gad7_last - per$gad7_first
  case0 <- (!is.na(per$phq9_first) & per$phq9_first >= 10) | (!is.na(per$gad7_first) & per$gad7_first >= 8)
  det <- dp >= 6 | dg >= 4
  imp <- (dp <= -6 | dg <= -4) & !det
  rec <- case0 & per$phq9_last < 10 & per$gad7_last < 8
  for (g in c("intervention", "comparison")) {
    s <- per$group == g
    pr <- s & per$paired
    add(spec, "started", g, sum(s), NA, NA, sum(s))
    add(spec, "paired_n", g, sum(pr), NA, NA, sum(s))
    wil <- function(ind, x, n) {
      ci <- prop.test(x, n, correct = FALSE)$conf.int
      add(spec, ind, g, x / n, ci[1], ci[2], n, x)
    }
    wil("completeness", sum(pr), sum(s))
    wil("recovery_rate", sum(rec[pr & case0]), sum(pr & case0))
    wil("reliable_improvement_rate", sum(imp[pr]), sum(pr))
    wil("reliable_recovery_rate", sum((rec & imp)[pr & case0]), sum(pr & case0))
    wil("reliable_deterioration_rate", sum(det[pr]), sum(pr))
    for (inst in names(K)) {
      p <- PFX[[inst]]
      f <- per[[paste0(p, "_first")]][pr]; l <- per[[paste0(p, "_last")]][pr]
      tt <- t.test(l, f, paired = TRUE)
      add(spec, paste0(p, "_mean_change"), g, unname(tt$estimate), tt$conf.int[1], tt$conf.int[2], sum(pr))
      tb <- t.test(f)
      add(spec, paste0(p, "_baseline_mean"), g, unname(tb$estimate), tb$conf.int[1], tb$conf.int[2], sum(pr))
      wil(paste0(p, "_reliable_improvement_rate"), sum(l - f <= -RC[[inst]]), sum(pr))
      has <- s & per[[paste0(p, "_n")]] > 0
      lo <- t.test(per[[paste0(p, "_last")]][has] - per[[paste0(p, "_first")]][has])
      add(spec, paste0(p, "_mean_change_locf"), g, unname(lo$estimate), lo$conf.int[1], lo$conf.int[2], sum(has))
      # mixed model over every score of the group's starters
      vi <- v[v$instrument == inst & v$group == g, ]
      if (g == "comparison") vi$time <- ave(as.numeric(vi$date), vi$client_id, FUN = function(x) rank(x))
      else vi$time <- vi$session
      lastt <- tapply(vi$time, vi$client_id, max)[per$client_id[pr]]
      fu <- floor(median(lastt))
      vi$time <- factor(vi$time)
      m <- lmer(score ~ time + (1 | client_id), data = vi, REML = TRUE,
                control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
      term <- paste0("time", fu)
      w <- confint(m, method = "Wald")
      add(spec, paste0(p, "_mean_change_mixed"), g, fixef(m)[[term]], w[term, 1], w[term, 2],
          length(unique(vi$client_id)))
    }
  }
  both <- per[per$paired, ]
  both$group <- factor(both$group, levels = c("comparison", "intervention"))
  for (inst in names(K)) {
    p <- PFX[[inst]]
    fit <- lm(as.formula(paste0(p, "_last ~ group + ", p, "_first")), data = both)
    ci <- confint(fit)["groupintervention", ]
    add(spec, paste0(p, "_ancova_group_effect"), "all", coef(fit)[["groupintervention"]], ci[[1]], ci[[2]],
        nrow(both))
  }
}
run("strict", 0)
run("prorate1", 1)
out <- do.call(rbind, rows)
write.csv(out, "tests/reference/expected/symptoms.csv", row.names = FALSE)
cat(sprintf("wrote tests/reference/expected/symptoms.csv (%d rows); R %s, lme4 %s\n", nrow(out), getRversion(),
            packageVersion("lme4")))
