"""Report text of the employment measure (IPS, työllistyminen) and of IPS fidelity.

Evidence rules (``wording.common``): rates, medians and shares are levels (descriptive);
a difference from the comparison group is described as a difference "vertailuryhmään
verrattuna" only when its interval excludes the null, and always with the caveat that the
groups were not randomised. Text is built from *suppressed* estimates, so a small cell
never reaches a sentence.
"""

from __future__ import annotations

import math

from ...results import Estimate
from ..fmt import (
    format_date,
    format_estimate,
    format_interval,
    format_number,
    format_percent_value,
    format_value,
)
from ..i18n import label
from ..suppress import suppress_estimates
from .common import evidence_level

__all__ = ["employment_limitations", "employment_methods", "employment_narrative", "fidelity_narrative",
           "fidelity_item_label"]


def _shown(res, min_cell: int) -> dict[tuple[str, str], Estimate]:
    return {(e.indicator, e.group): e for e in suppress_estimates(res.estimates, min_cell)}


def _ok(e: Estimate | None) -> bool:
    return e is not None and not e.suppressed and e.estimate is not None and not math.isnan(e.estimate)


def _pct(x: float, language: str) -> str:
    return format_percent_value(x, language=language)


def _stats(e: Estimate | None, language: str) -> str:
    """``'34 % (25 / 73; 95 % LV 24–46 %)'`` or ``'suojattu'``."""
    return format_estimate(e, language=language) if _ok(e) else "(suojattu)"


def _flat(e: Estimate, language: str) -> str:
    """``'1,83; 95 % LV 1,16–2,91'`` (for use inside parentheses)."""
    return f"{format_value(e.estimate, e.unit, language=language)}; {format_interval(e, language=language)}"


def fidelity_item_label(name: str, language: str = "fi") -> str:
    """Label of an IPS-25 item id (``caseload_size`` → "Asiakasmäärä valmentajaa kohden")."""
    return label(f"employment.fidelity_items.{name}", language)


def _group_sentences(s: dict, group: str, language: str, *, milestones) -> list[str]:
    out = []
    enr, emp, prog = (s.get((i, group)) for i in ("enrolled", "employment_rate", "progression_rate"))
    who = "Toimintamallin asiakkaista" if group == "intervention" else "Vertailuryhmästä"
    if _ok(emp):
        out.append(f"{who} avoimille työmarkkinoille työllistyi seurannan aikana {_stats(emp, language)}"
                   + (f" ja työllistyi tai eteni opiskeluun, vapaaehtoistyöhön tai työkokeiluun "
                      f"{_stats(prog, language)}." if _ok(prog) else "."))
    elif enr is not None:
        out.append(f"{who} työllistyneiden osuus on suojattu pienen lukumäärän vuoksi.")
    med = s.get(("days_to_first_job_median", group))
    if _ok(med):
        out.append(f"Puolet oli työllistynyt {format_number(med.estimate, language=language)} päivän kuluessa "
                   f"aloituksesta ({format_interval(med, language=language)}).")
    elif med is not None and not med.suppressed:
        out.append("Ensimmäiseen työhön kuluneen ajan mediaania ei voitu arvioida, koska alle puolet "
                   "työllistyi seurannan aikana.")
    shown = [(d, s.get((f"employed_by_{d}d", group))) for d in milestones]
    parts = [f"{d} päivän kuluessa {_stats(e, language)}" for d, e in shown if _ok(e)]
    if parts:
        out.append("Aloituksesta työllistyneiden kumulatiivinen osuus (Kaplan–Meier) oli " + ", ".join(parts) + ".")
    return out


def employment_narrative(res, *, min_cell: int = 5, language: str = "fi") -> str:
    """Funnel, rates, time to first job, the IPS measures, the comparison and the benchmarks."""
    s = _shown(res, min_cell)
    text = []
    ref, enr = s.get(("referred", "intervention")), s.get(("enrolled", "intervention"))
    if _ok(ref) and _ok(enr):
        emp_ref = s.get(("employment_rate_referred", "intervention"))
        text.append(
            f"Toimintamalliin ohjattiin {format_number(ref.estimate, language=language)} asiakasta, joista "
            f"{format_number(enr.estimate, language=language)} ({_pct(enr.estimate / ref.estimate, language)}) "
            "aloitti valmennuksen (yhteistyösopimus)."
            + (f" Kaikista ohjatuista työllistyi {_stats(emp_ref, language)}." if _ok(emp_ref) else ""))
    text += _group_sentences(s, "intervention", language, milestones=res.milestones)
    w, h, h20 = (s.get((i, "intervention")) for i in ("weeks_worked_mean", "hours_per_week_mean", "share_20h_or_more"))
    if _ok(h) and _ok(h20):
        text.append(f"Työllistyneet tekivät keskimäärin {format_number(h.estimate, 1, language=language)} tuntia "
                    f"viikossa (95 % LV {format_number(h.ci_low, 1, language=language)}–"
                    f"{format_number(h.ci_high, 1, language=language)}); vähintään 20 tuntia viikossa teki "
                    f"{_stats(h20, language)}.")
    if _ok(w):
        text.append(f"Työssäoloviikkoja kertyi seurannan aikana keskimäärin {format_number(w.estimate, 1, language=language)} "
                    "aloittanutta kohden (myös työllistymättömät mukana nollalla).")
    if res.has_comparison:
        text += _group_sentences(s, "comparison", language, milestones=res.milestones)
        text.append(_comparison_sentence(s, language))
    text.append(_benchmark_sentence(res, s, language))
    return " ".join(t for t in text if t)


def _comparison_sentence(s: dict, language: str) -> str:
    rr, rd, hr = s.get(("risk_ratio", "all")), s.get(("risk_difference", "all")), s.get(("hazard_ratio", "all"))
    if not _ok(rd):
        return "Ryhmien välinen ero on suojattu pienten lukumäärien vuoksi."
    diff = (f"erotus {format_number(rd.estimate * 100, 1, language=language)} prosenttiyksikköä, 95 % LV "
            f"{format_number(rd.ci_low * 100, 1, language=language)} – {format_number(rd.ci_high * 100, 1, language=language)}")
    rr_text = f"; riskisuhde {_flat(rr, language)}" if _ok(rr) else ""
    if evidence_level(rd, comparison=True) == "not_demonstrated":
        out = f"Työllistyneiden osuudessa eroa vertailuryhmään ei voitu osoittaa ({diff}{rr_text})."
    else:
        direction = "suurempi" if rd.estimate > 0 else "pienempi"
        out = (f"Työllistyneiden osuus oli toimintamallin asiakkailla {direction} kuin vertailuryhmässä "
               f"({diff}{rr_text}).")
    if _ok(hr):
        hr_text = _flat(hr, language)
        if evidence_level(hr, comparison=True) == "not_demonstrated":
            out += f" Työllistymisen nopeudessa eroa ei voitu osoittaa (vaarasuhde {hr_text})."
        else:
            faster = "nopeammin" if hr.estimate > 1 else "hitaammin"
            out += f" Toimintamallin asiakkaat työllistyivät {faster} (Coxin vaarasuhde {hr_text})."
    out += (" Vertailuksi: satunnaistettujen tutkimusten meta-analyysissä IPS:n riskisuhde avoimille "
            "työmarkkinoille työllistymisessä oli 1,63 (95 % LV 1,46–1,82; Frederick & VanderWeele 2019).")
    out += (" Vertailuryhmä ei ole satunnaistettu, joten ero kuvaa toimintamallin vaikutusta vain sillä "
            "edellytyksellä, että ryhmät olivat muuten vertailukelpoisia.")
    return out


def _benchmark_sentence(res, s: dict, language: str) -> str:
    emp = s.get(("employment_rate", "intervention"))
    if not _ok(emp):
        return ""
    out = []
    if res.target is not None:
        lo, hi = res.target
        tgt = f"{format_number(lo * 100, language=language)}–{_pct(hi, language)}"
        if emp.ci_low > hi:
            rel = "ylitti tavoitteen koko luottamusvälillään"
        elif emp.ci_high < lo:
            rel = "jäi tavoitteesta koko luottamusvälillään"
        elif lo <= emp.estimate <= hi:
            rel = "osui tavoitealueelle"
        else:
            rel = ("oli tavoitealueen yläpuolella, mutta luottamusväli ulottuu tavoitealueelle" if emp.estimate > hi
                   else "oli tavoitealueen alapuolella, mutta luottamusväli ulottuu tavoitealueelle")
        out.append(f"Hankesuunnitelman tavoite oli, että {tgt} työllistyy; toteutunut osuus "
                   f"({_pct(emp.estimate, language)}) {rel}.")
    out.append("Vertailulukuina: THL:n suomalaisessa IPS-arvioinnissa 49 % työllistyi avoimille työmarkkinoille "
               "valmennuksen aikana (2024), ja korkean menetelmäuskollisuuden satunnaistetuissa tutkimuksissa "
               "työllistyi 61 % IPS-ryhmistä ja 23 % vertailuryhmistä (Bond, Drake & Becker 2008). Luvut eivät ole "
               "suoraan vertailukelpoisia: seuranta-ajat, asiakasryhmät ja työllistymisen määritelmät vaihtelevat.")
    return " ".join(out)


def fidelity_narrative(fid, *, language: str = "fi") -> str:
    """Latest complete review, its band, the trend and the weakest items; incomplete reviews named."""
    if fid is None or fid.reviews.empty:
        return ""
    rev = fid.reviews
    done = rev[rev["complete"]]
    text = [f"IPS-menetelmäuskollisuus (IPS-25-asteikko, 25–125 pistettä) arvioitiin {len(rev)} kertaa."]
    if not done.empty:
        last = done.iloc[-1]
        band = label(f"employment.bands.{last['band']}", language)
        text.append(f"Viimeisin täydellinen arviointi ({format_date(last['review_date'].date(), language=language)}) "
                    f"oli {format_number(last['total'], language=language)} pistettä, eli taso oli {band} "
                    "(erinomainen 115–125, hyvä 100–114, kohtalainen 74–99).")
        if len(done) >= 2:
            first = done.iloc[0]
            verb = "nousivat" if last["total"] > first["total"] else ("laskivat" if last["total"] < first["total"]
                                                                       else "pysyivät ennallaan")
            text.append(f"Pisteet {verb} ensimmäisestä arvioinnista "
                        f"({format_number(first['total'], language=language)}) viimeisimpään "
                        f"({format_number(last['total'], language=language)}).")
    if not fid.weakest.empty:
        items = ", ".join(f"{fidelity_item_label(r['name'], language).lower()} ({format_number(r['score'], language=language)})"
                          for _, r in fid.weakest.iterrows())
        text.append(f"Heikoimmat kohdat viimeisimmässä arvioinnissa (pisteet 1–5): {items}.")
    inc = rev[~rev["complete"]]
    if len(inc):
        days = ", ".join(format_date(d.date(), language=language) for d in inc["review_date"])
        text.append(f"Keskeneräisiä arviointeja ({days}) ei ole pisteytetty, koska osa kohdista puuttuu.")
    return " ".join(text)


def employment_methods(res, *, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph)."""
    fu = (f"enintään {format_number(res.followup_days, language=language)} päivää aloituksesta"
          if res.followup_days else "aloituksesta seurannan loppuun")
    cut = f" (aineiston katkaisupäivä {format_date(res.cutoff, language=language)})" if res.cutoff else ""
    text = (f"Seuranta kestää {fu}{cut} tai asiakkaan oman seurannan päättymiseen. Työllistyneeksi lasketaan "
            "asiakas, jonka avoimien työmarkkinoiden työ (tai yritystoiminta) alkoi aloituspäivänä tai sen "
            "jälkeen seurannan aikana; ennen aloitusta alkanut työ ei ole toimintamallin tulos, vaikka se "
            "jatkuisi aloituksen jälkeen. Päällekkäiset jaksot lasketaan kerran. Osuuksien luottamusvälit ovat "
            "Wilsonin välejä. Aika ensimmäiseen työhön on arvioitu Kaplan–Meier-menetelmällä: valmennuksessa "
            "yhä olevat ja seurannasta poistuneet ovat sensuroituja havaintoja seurannan päättyessä, joten "
            "heitä ei lasketa työllistymättömiksi. Keskiarvojen välit ovat t-jakaumaan perustuvia.")
    if res.has_comparison:
        text += (" Vertailuryhmän kanssa riskisuhteen väli on Katzin log-väli, osuuksien erotuksen väli Newcomben "
                 "hybridi-score-väli ja vaarasuhde Coxin mallista (Efronin sidokset).")
    text += " Alle viiden henkilön solut on peitetty."
    return text


def employment_limitations(res, *, language: str = "fi") -> str:
    """Limitations paragraph."""
    text = ("Työssäoloviikot ja ansiot riippuvat seurannan pituudesta, joka vaihtelee aloituspäivän mukaan; "
            "ne kuvaavat kertymää seurannan aikana, eivät vuotuista tasoa.")
    if res.has_comparison:
        text += (" Vertailuryhmä ei ole satunnaistettu: ryhmien erot lähtötilanteessa (esim. diagnoosit, aiempi "
                 "työhistoria) voivat selittää osan erosta.")
    else:
        text += (" Ilman vertailuryhmää työllistymistä ei voi pitää toimintamallin vaikutuksena: osa asiakkaista "
                 "olisi työllistynyt muutenkin.")
    return text
