"""Report text of the symptoms measure (PHQ-9 / GAD-7).

Evidence rules (``wording.common``): the change within the intervention group is a
before/after change (*observed*, never the model's effect); only the ANCOVA against the
comparison group may speak of a difference attributable to the design; an interval crossing
zero is "muutosta ei voitu osoittaa". Rates are descriptive levels with numerator and
denominator.
"""

from __future__ import annotations

from ..fmt import format_number
from .common import change_claim, level_claim

__all__ = ["symptoms_limitations", "symptoms_methods", "symptoms_narrative"]

_NAMES = {"PHQ-9": "Masennusoireet (PHQ-9)", "GAD-7": "Ahdistusoireet (GAD-7)"}


def _get(res, indicator: str, group: str):
    try:
        return res.get(indicator, group)
    except KeyError:
        return None


def symptoms_narrative(res, *, language: str = "fi") -> str:
    """Completeness, mean change per instrument, NHS rates and, with a comparison group, the
    ANCOVA difference — each sentence at the evidence level of its estimate."""
    g = "intervention"
    out = []
    comp = _get(res, "completeness", g)
    if comp is not None:
        out.append(level_claim(comp, subject="Niiden aloittaneiden osuus, joilla on parilliset pisteet "
                               "(ensimmäinen ja viimeinen mittaus),", language=language).sentence)
    for inst in res.instruments:
        p = {"PHQ-9": "phq9", "GAD-7": "gad7"}.get(inst, inst.lower())
        e = _get(res, f"{p}_mean_change", g)
        if e is not None:
            out.append(change_claim(e, subject=f"{_NAMES.get(inst, inst)} hoidon aikana", up="lisääntyivät",
                                    down="lievittyivät", language=language).sentence)
    for ind, subject in (("recovery_rate", "Toipuneiden osuus (NHS Talking Therapies -määritelmä)"),
                         ("reliable_improvement_rate", "Luotettavasti kohentuneiden osuus"),
                         ("reliable_recovery_rate", "Luotettavasti toipuneiden osuus"),
                         ("reliable_deterioration_rate", "Luotettavasti heikentyneiden osuus")):
        e = _get(res, ind, g)
        if e is not None:
            out.append(level_claim(e, subject=subject, language=language).sentence)
    if len(res.instruments) == 1:
        out.append(f"Aineistossa on vain {res.instruments[0]}-mittari, joten toipuminen ja luotettava muutos "
                   "on arvioitu pelkästään sen perusteella.")
    if res.has_comparison:
        for inst in res.instruments:
            p = {"PHQ-9": "phq9", "GAD-7": "gad7"}.get(inst, inst.lower())
            e = _get(res, f"{p}_ancova_group_effect", "all")
            if e is not None:
                out.append(change_claim(e, subject=f"{_NAMES.get(inst, inst)} seurannan lopussa (lähtötasolla "
                                        "vakioituna)", comparison=True, up="olivat suuremmat",
                                        down="olivat lievemmät", language=language).sentence)
    return " ".join(out)


def symptoms_methods(res, *, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph)."""
    s = res.settings
    cas = ", ".join(f"{i} ≥ {s['caseness'][i]}" for i in res.instruments)
    rc = ", ".join(f"{i} {s['reliable_change'][i]} pistettä" for i in res.instruments)
    pro = ("Puuttuvia osioita ei ole suhteutettu: kysely, josta puuttuu osio, ei anna pistemäärää."
           if s["max_missing_items"] == 0 else
           f"Kyselyn pistemäärä on suhteutettu, kun enintään {s['max_missing_items']} osio puuttuu "
           "(vastattujen osioiden keskiarvo × osioiden määrä, pyöristettynä); suhteutettuja pistemääriä oli "
           f"{format_number(getattr(res, 'n_prorated', 0), language=language)}.")
    text = (f"Pistemäärät on laskettu osioista. {pro} Hoitojakso on päättynyt, kun käyntejä on vähintään "
            f"{s['min_sessions']}; parilliset pisteet ovat jakson ensimmäinen ja viimeinen pistemäärä "
            f"(vähintään {s['min_scores']} pistemäärää jokaisella mittarilla). Kliininen taso: {cas}; "
            f"luotettava muutos: {rc} (NHS Talking Therapies). Toipuminen: kliininen taso alussa ja "
            "kaikilla mittareilla sen alapuolella lopussa; osuuden nimittäjänä ovat parilliset jaksot, "
            "joissa oireet olivat alussa kliinisellä tasolla. Luotettava kohentuminen: lasku vähintään "
            "luotettavan muutoksen verran jollakin mittarilla ilman luotettavaa heikentymistä millään; "
            "nimittäjänä kaikki parilliset jaksot. Keskimuutoksen luottamusväli on parittaisen t-testin "
            "väli ja osuuksien Wilsonin väli. Puuttuvien mittausten herkkyysanalyyseina ovat viimeisen "
            "havainnon siirto eteenpäin (LOCF, kaikki aloittaneet) ja lineaarinen sekamalli kaikista "
            "käyntikerroista (satunnainen vakio asiakkaittain, REML).")
    if res.has_comparison:
        text += (" Vertailuryhmään verrattu ero on kovarianssianalyysi (ANCOVA): viimeinen pistemäärä "
                 "selitettynä ryhmällä ja lähtötason pistemäärällä.")
    if s.get("reliability"):
        text += (" Jacobsonin–Truaxin luotettavan muutoksen indeksi käyttää reliabiliteettia "
                 + ", ".join(f"{k} r = {format_number(v, 2, language=language)}" for k, v in s["reliability"].items())
                 + " ja otoksen lähtötason keskihajontaa.")
    return text


def symptoms_limitations(res, *, language: str = "fi") -> str:
    """Limitations paragraph: design, completeness and missing data."""
    parts = []
    if not res.has_comparison:
        parts.append("Aineistossa ei ole vertailuryhmää, joten oireiden muutosta ei voi pitää toimintamallin "
                     "vaikutuksena: oireet lievittyvät usein ajan myötä ja regressio kohti keskiarvoa "
                     "korostaa muutosta, kun hoitoon hakeudutaan oireiden ollessa pahimmillaan.")
    else:
        parts.append("Vertailuryhmää ei ole satunnaistettu; ryhmien ero voi johtua myös eroista, joita "
                     "lähtötason pistemäärä ei vakioi.")
    parts.append("Pääanalyysi koskee asiakkaita, joilla on parilliset pisteet. Jos hoidon keskeyttäneiden "
                 "oireet kehittyivät toisin, tulos voi olla harhainen; LOCF- ja sekamalliarviot näyttävät, "
                 "kuinka paljon tulos riippuu puuttuvien mittausten käsittelystä. Sekamalli olettaa "
                 "puuttumisen satunnaiseksi havaittujen pistemäärien ehdolla.")
    return " ".join(parts)
