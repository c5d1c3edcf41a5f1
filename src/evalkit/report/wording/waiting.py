"""Report text of the waiting-times measure (hoitotakuu).

Evidence rules (``wording.common``): the interrupted time series has no comparison group,
so a change is *observed* (``havaittiin``), never attributed to the model; an interval
crossing zero is "muutosta ei voitu osoittaa".
"""

from __future__ import annotations

import math

from ..fmt import format_date, format_number, format_percent_value
from .common import evidence_level
from .its import its_autocorrelation_sentence

__all__ = ["waiting_methods", "waiting_narrative"]


def _pp(x: float, language: str) -> str:
    """A share difference in percentage points, signed: ``+14,0``."""
    text = format_number(abs(x) * 100, 1, language=language)
    return ("−" if x < 0 else "+") + text


def _row(res, period: str = "kaikki"):
    t = res.table
    mask = t["period"] == period
    for c in res.by:
        mask &= t[c] == "kaikki"
    rows = t[mask]
    return None if rows.empty else rows.iloc[0]


def _share_text(row, column: str, language: str) -> str | None:
    if row is None or column not in row or math.isnan(row[column]):
        return None
    pct = format_percent_value(row[column], language=language)
    lo = format_percent_value(row[f"{column}_low"], language=language).replace("\xa0%", "").replace(" %", "")
    hi = format_percent_value(row[f"{column}_high"], language=language)
    n = format_number(row[f"{column}_within"], language=language)
    d = format_number(row[f"{column}_determinable"], language=language)
    return f"{pct} ({n} / {d}; 95 % LV {lo}–{hi})"


def waiting_narrative(res, *, language: str = "fi") -> str:
    """Median and 90th-percentile wait, share within the limit (latest full period and the
    whole period), and the interrupted time series in words that follow the evidence."""
    sentences = []
    total = _row(res)
    if total is not None and not math.isnan(total["cases"]):
        med = format_number(total["median_days"], language=language)
        p90 = format_number(total["p90_days"], language=language)
        sentences.append(
            f"Yhteydenottoja oli yhteensä {format_number(total['cases'], language=language)}. "
            f"Odotusajan mediaani oli {med} vuorokautta (95 % LV "
            f"{format_number(total['median_days_low'], language=language)}–"
            f"{format_number(total['median_days_high'], language=language)}), ja 90 % sai hoidon "
            f"{p90} vuorokauden kuluessa. Katkaisupäivänä hoitoa odotti vielä "
            f"{format_number(total['still_waiting'], language=language)} asiakasta; heidät on otettu "
            "huomioon keskeneräisinä (sensuroituina) havaintoina.")
        share = _share_text(total, "share_within_limit", language)
        if share:
            sentences.append(f"Hoitotakuun rajassa hoidettiin koko seurantajaksolla {share}.")
    periods = [p for p in res.table["period"].unique() if p != "kaikki"]
    if len(periods) >= 2:
        first, last = _row(res, periods[0]), _row(res, periods[-1])
        a = _share_text(first, "share_within_limit", language)
        b = _share_text(last, "share_within_limit", language)
        if a and b:
            sentences.append(f"Osuus oli {a} jaksolla {periods[0]} ja {b} jaksolla {periods[-1]}; "
                             "raja on se, joka oli voimassa yhteydenottopäivänä.")
    if res.its is not None:
        sentences.append(_its_sentence(res, language))
    return " ".join(sentences)


def _its_sentence(res, language: str) -> str:
    level = res.get("its_level_change")
    slope = res.get("its_slope_change")
    when = format_date(res.change_date, language=language)
    lim = res.monthly_limit
    ci = (f"95 % LV {_pp(level.ci_low, language)} – {_pp(level.ci_high, language)} "
          "prosenttiyksikköä")
    if evidence_level(level) == "not_demonstrated":
        text = (f"Muutoskohdan {when} jälkeen {lim} vuorokauden kuluessa hoidettujen kuukausittaisessa "
                f"osuudessa ei voitu osoittaa tasomuutosta (arvio {_pp(level.estimate, language)} "
                f"prosenttiyksikköä; {ci}).")
    else:
        direction = "suurempi" if level.estimate > 0 else "pienempi"
        size = format_number(abs(level.estimate) * 100, 1, language=language)
        text = (f"Muutoskohdan {when} jälkeen havaittiin tasomuutos: {lim} vuorokauden kuluessa hoidettujen "
                f"osuus oli {size} prosenttiyksikköä {direction} kuin aiemman kehityksen jatkuminen olisi "
                f"antanut odottaa ({ci}).")
    if evidence_level(slope) == "not_demonstrated":
        text += " Kuukausittaisen kehityksen suunnan muutosta ei voitu osoittaa."
    else:
        text += (f" Lisäksi havaittiin kuukausittaisen kehityksen muutos "
                 f"({_pp(slope.estimate, language)} prosenttiyksikköä kuukaudessa; 95 % LV "
                 f"{_pp(slope.ci_low, language)} – {_pp(slope.ci_high, language)}).")
    text += (" Asetelmassa ei ole vertailuryhmää, joten muutosta ei voi suoraan pitää toimintamallin "
             "vaikutuksena: samaan aikaan tapahtuneet muut muutokset voivat selittää sen.")
    limitation = its_autocorrelation_sentence(res.its, "waiting", language=language)
    return f"{text} {limitation}" if limitation else text


def waiting_methods(res, *, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph)."""
    cut = format_date(res.cutoff, language=language)
    text = (f"Odotusaika on päivinä yhteydenotosta hoidon alkuun. Mediaani ja 90. persentiili on laskettu "
            f"Kaplan–Meier-menetelmällä, jossa katkaisupäivänä ({cut}) vielä odottavat ovat sensuroituja "
            "havaintoja: heitä ei pudoteta pois, koska se lyhentäisi odotusaikoja näennäisesti. "
            "Hoitotakuun rajassa hoidettujen osuudessa mukana ovat yhteydenotot, joista on katkaisupäivään "
            "kulunut vähintään rajan verran; niistä vielä odottavat lasketaan rajan ylittäneiksi. "
            "Osuuksien luottamusvälit ovat Wilsonin välejä. Alle viiden tapauksen solut on peitetty.")
    if res.its is not None:
        text += (f" Kuukausittaisen osuuden ({res.monthly_limit} vrk) muutos muutoskohdassa on arvioitu "
                 "keskeytetyn aikasarjan segmentoidulla regressiolla (taso- ja trendimuutos, kuukauden "
                 "tapausmäärällä painotettu). Keskivirheenä on suurin Newey–West- ja "
                 "heteroskedastisuusrobusteista keskivirheistä sekä AR(1)-virhemallin (REML) mukaisesta "
                 "keskivirheestä, koska pelkkä Newey–West-keskivirhe on lyhyissä sarjoissa liian pieni ja "
                 "peräkkäisten kuukausien riippuvuus kaventaa väliä. Riippuvuus testattiin rajoitetun "
                 "uskottavuuden osamäärätestillä (AR(1)-kerroin φ > 0, yksisuuntainen, 5 %:n taso).")
    return text
