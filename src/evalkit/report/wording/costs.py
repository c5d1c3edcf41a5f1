"""Report text of the costs measure (kustannusvaikuttavuus), generated from a ``CostsResult``.

Rules (domain.md, Cost-effectiveness): an ICER is never written without ΔC and ΔE and
their intervals in the same sentence, and it is not given as a figure at all when the
interval of ΔE crosses zero (then the net benefit and the probability of cost-effectiveness
speak instead); dominance is stated in words; without a comparison group the costs are
described and the change in service costs is *observed*, never the model's effect; λ is
always marked as a parameter (Finland has no official threshold).
"""

from __future__ import annotations

import math
from typing import Any

from ...results import Estimate
from ..fmt import format_estimate, format_money, format_number, format_percent_value

__all__ = ["costs_limitations", "costs_methods", "costs_narrative", "outcome_label"]

_OUTCOMES = {
    "employed": ("työllistyminen avoimille työmarkkinoille", "työllistynyttä asiakasta"),
    "progressed": ("työllistyminen tai muu eteneminen (opiskelu, vapaaehtoistyö, työkokeilu)",
                   "edennyttä asiakasta"),
    "recovery": ("toipuminen (NHS Talking Therapies)", "toipunutta asiakasta"),
    "reliable_improvement": ("luotettava paraneminen", "luotettavasti parantunutta asiakasta"),
    "reliable_recovery": ("luotettava toipuminen (NHS Talking Therapies)", "luotettavasti toipunutta asiakasta"),
    "reliable_deterioration": ("luotettava heikkeneminen", "luotettavasti heikentynyttä asiakasta"),
    "phq9_change": ("PHQ-9-pistemäärän muutos", "PHQ-9-pistettä"),
    "gad7_change": ("GAD-7-pistemäärän muutos", "GAD-7-pistettä"),
}
_BINARY = {"employed", "progressed", "recovery", "reliable_improvement", "reliable_recovery",
           "reliable_deterioration"}


def outcome_label(outcome: str | None) -> tuple[str, str]:
    """(what the outcome is, the unit "per …" in the partitive) in Finnish."""
    return _OUTCOMES.get(outcome or "", (outcome or "tulos", "tulosta"))


def _get(result: Any, indicator: str, group: str = "all") -> Estimate | None:
    try:
        return result.get(indicator, group)
    except KeyError:
        return None


def _small(e: Estimate | None, min_cell: int) -> bool:
    return e is None or e.n is None or e.n < min_cell or e.suppressed


def _ci_missing(e: Estimate) -> bool:
    return e.ci_low is None or e.ci_high is None or any(math.isnan(x) for x in (e.ci_low, e.ci_high))


def _crosses(e: Estimate, null: float = 0.0) -> bool:
    return _ci_missing(e) or e.ci_low <= null <= e.ci_high


def _effect_text(e: Estimate, outcome: str | None, language: str) -> str:
    """ΔE with its interval: percentage points for a 0/1 outcome, points otherwise."""
    if outcome in _BINARY:
        def pp(x: float) -> str:
            return format_number(100 * x, 1, language=language)
        return (f"{pp(e.estimate)} prosenttiyksikköä (95 % LV {pp(e.ci_low)}–{pp(e.ci_high)})"
                if not _ci_missing(e) else f"{pp(e.estimate)} prosenttiyksikköä")
    return format_estimate(e, language=language)


def _money(x: float, language: str) -> str:
    return format_money(x, language=language)


def costs_narrative(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The findings paragraph(s): costs per client, cost offset, then — with a comparison
    group and an outcome — ΔC, ΔE, the ICER (only with both intervals), INMB, the probability
    of cost-effectiveness at λ, dominance in words and EVPI."""
    s = result.settings
    parts: list[str] = []
    n_int = _get(result, "clients", "intervention")
    n_cmp = _get(result, "clients", "comparison")
    if _small(n_int, min_cell):
        return (f"Toimintamallin asiakkaita oli analyysissa alle {min_cell}, joten kustannuksia ei "
                "raportoida tietosuojan vuoksi.")
    compare = result.has_comparison and not _small(n_cmp, min_cell)
    who = f"Analyysissa oli {format_number(n_int.n)} toimintamallin asiakasta"
    if compare:
        who += f" ja {format_number(n_cmp.n)} vertailuryhmän asiakasta"
    plo, phi = s["post_window"]
    parts.append(f"{who}. Kustannukset ovat vuoden {s['cost_year']} euroina asiakasta kohden; palvelujen "
                 f"käytön kustannukset on laskettu aloitusta edeltäneeltä vuodelta ja seurantajaksolta "
                 f"(päivät {plo}–{phi} aloituksesta).")

    ic = _get(result, "intervention_cost_per_client", "intervention")
    if ic is not None:
        fixed = not _ci_missing(ic) and ic.ci_low == ic.ci_high
        text = format_estimate(ic, language=language, with_interval=not fixed)
        parts.append(f"Toimintamallin oma kustannus oli {text} asiakasta kohden"
                     + (" (sama kaikille asiakkaille: kokonaiskustannus jaettuna asiakkaille)." if fixed else "."))
    off = _get(result, "cost_offset", "intervention")
    if off is not None:
        pre = _get(result, "service_cost_pre", "intervention")
        post = _get(result, "service_cost_post", "intervention")
        verb = "väheni" if off.estimate < 0 else "kasvoi"
        if _crosses(off):
            parts.append(f"Toimintamallin asiakkaiden palvelujen käytön kustannus ei muuttunut osoitettavasti "
                         f"({_money(pre.estimate, language)} ennen, {_money(post.estimate, language)} jälkeen; "
                         f"muutos {format_estimate(off, language=language)}).")
        else:
            parts.append(f"Toimintamallin asiakkaiden palvelujen käytön kustannus {verb} "
                         f"{_money(pre.estimate, language)}:sta {_money(post.estimate, language)}:oon "
                         f"(muutos {format_estimate(off, language=language)}).")
        if not compare:
            parts.append("Muutos on havaittu ilman vertailuryhmää, joten sitä ei voi pitää toimintamallin "
                         "vaikutuksena: osa muutoksesta olisi voinut tapahtua ilman toimintamalliakin "
                         "(esimerkiksi regressio kohti keskiarvoa).")
    diff = _get(result, "cost_offset_difference")
    if compare and diff is not None:
        if _crosses(diff):
            parts.append("Palvelukustannusten muutos ei eronnut osoitettavasti vertailuryhmän muutoksesta "
                         f"(erotus {format_estimate(diff, language=language)}).")
        else:
            word = "enemmän" if diff.estimate < 0 else "vähemmän"
            parts.append(f"Vertailuryhmään verrattuna palvelukustannukset vähenivät {word} "
                         f"(muutosten erotus {format_estimate(diff, language=language)}); tämä on arvio "
                         "toimintamallin vaikutuksesta palvelukustannuksiin sillä oletuksella, että ryhmien "
                         "kustannukset olisivat ilman toimintamallia muuttuneet samoin.")
    net = _get(result, "net_cost_per_client", "intervention")
    if net is not None and not compare:
        parts.append(f"Nettokustannus (toimintamallin kustannus + palvelukustannusten muutos) oli "
                     f"{format_estimate(net, language=language)} asiakasta kohden.")
    cpo = _get(result, "cost_per_outcome", "intervention")
    what, per = outcome_label(result.outcome)
    if cpo is not None:
        ci = (f" (95 % LV {_money(cpo.ci_low, language)}–{_money(cpo.ci_high, language)})"
              if cpo.ci_high is not None and not math.isnan(cpo.ci_high) else
              f" (95 % LV alkaen {_money(cpo.ci_low, language)}; yläraja ei rajattu)")
        parts.append(f"Toimintamallin kustannus yhtä {per} kohden "
                     f"(tulos: {what}) oli {_money(cpo.estimate, language)}{ci}; luku ei vähennä tulosta, "
                     "joka olisi saavutettu ilman toimintamallia.")

    ce = result.ce
    if compare and ce is not None:
        parts.append(_ce_text(result, what=what, per=per, language=language))
    elif compare:
        dc = _get(result, "incremental_cost")
        if dc is not None:
            parts.append(f"Kokonaiskustannusten erotus vertailuryhmään (toimintamallin kustannus + "
                         f"palvelukustannukset seurantajaksolla) oli {format_estimate(dc, language=language)} "
                         "asiakasta kohden. Tulosmuuttujaa ei ollut käytettävissä, joten "
                         "kustannusvaikuttavuutta ei arvioitu.")
    budget = _get(result, "budget_impact")
    if budget is not None:
        net_b = _get(result, "budget_impact_net")
        parts.append(f"Budjettivaikutus {format_number(s['budget_clients_per_year'])} asiakkaalla vuodessa: "
                     f"toimintamallin kustannus {format_estimate(budget, language=language)}"
                     + (f", nettovaikutus {format_estimate(net_b, language=language)}" if net_b is not None else "")
                     + " vuodessa.")
    for note in result.notes:
        parts.append(note)
    return " ".join(parts)


def _ce_text(result: Any, *, what: str, per: str, language: str) -> str:
    ce = result.ce
    dc, de = result.get("incremental_cost"), result.get("incremental_effect")
    icer, inmb = result.get("icer"), result.get("inmb")
    p = result.get("prob_cost_effective")
    evpi = result.get("evpi_per_person")
    lam = _money(result.settings["wtp"], language)
    out = [f"Vertailuryhmään verrattuna lisäkustannus asiakasta kohden (ΔC; toimintamallin kustannus ja "
           f"palvelujen käyttö seurantajaksolla) oli {format_estimate(dc, language=language)} ja lisävaikutus "
           f"(ΔE; {what}) {_effect_text(de, result.outcome, language)}."]
    if _crosses(de):
        out.append("Vaikutuksen ero ei poikennut osoitettavasti nollasta, joten lisäkustannusta tulosta kohden "
                   "(ICER) ei raportoida lukuna: se olisi harhaanjohtava, kun ΔE:n luottamusväli ulottuu "
                   "nollan molemmin puolin.")
    elif ce.dominance == "dominant":
        out.append("Toimintamalli oli pistearvion mukaan sekä edullisempi että vaikuttavampi kuin vertailu "
                   "(dominoiva), joten lisäkustannussuhdetta ei tarvita.")
    elif ce.dominance == "dominated":
        out.append("Toimintamalli oli pistearvion mukaan sekä kalliimpi että vähemmän vaikuttava kuin vertailu "
                   "(dominoitu).")
    else:
        icer_ci = ("" if _ci_missing(icer) else
                   f" (95 % LV {_money(icer.ci_low, language)}–{_money(icer.ci_high, language)})")
        kind = ("lisäkustannus yhtä lisätulosta kohden" if ce.dominance == "more_costly_more_effective"
                else "säästö yhtä menetettyä tulosta kohden")
        out.append(f"Näistä laskettu {kind} (ICER = ΔC / ΔE) oli {_money(icer.estimate, language)}{icer_ci} "
                   f"yhtä {per} kohden.")
    q = ce.quadrants
    out.append(f"Bootstrap-otoksista {format_percent_value(q['ne'], language=language)} osui "
               f"kustannusvaikuttavuustason koilliskvadranttiin (kalliimpi ja vaikuttavampi), "
               f"{format_percent_value(q['se'], language=language)} kaakkoon (edullisempi ja vaikuttavampi), "
               f"{format_percent_value(q['nw'], language=language)} luoteeseen (kalliimpi ja vähemmän vaikuttava) "
               f"ja {format_percent_value(q['sw'], language=language)} lounaaseen.")
    inmb_word = ("ei poikennut osoitettavasti nollasta" if _crosses(inmb)
                 else ("oli positiivinen" if inmb.estimate > 0 else "oli negatiivinen"))
    out.append(f"Maksuhalukkuudella {lam} tulosta kohden (parametri; Suomessa ei ole virallista kynnysarvoa) "
               f"nettohyöty asiakasta kohden (INMB = λ·ΔE − ΔC) {inmb_word}: "
               f"{format_estimate(inmb, language=language)}. Toimintamalli oli kustannusvaikuttava "
               f"{format_percent_value(p.estimate, language=language)}:ssa bootstrap-otoksista; täydellisen "
               f"tiedon odotusarvo oli {_money(evpi.estimate, language)} asiakasta kohden.")
    words = result.dominance_text
    if words and not _crosses(dc) and not _crosses(de):
        out.append(f"Sekä kustannusten että vaikutusten ero oli tilastollisesti osoitettavissa: {words}.")
    return " ".join(out)


def costs_methods(result: Any, *, language: str = "fi") -> str:
    """Methods paragraph."""
    s = result.settings
    disc = (f"Seurantajakson kustannukset ensimmäisen vuoden jälkeen on diskontattu "
            f"{format_number(100 * s['discount_rate'], 1, language=language)} %:n vuosikorolla."
            if s["discounted"] else "Seuranta-aika on enintään vuosi, joten kustannuksia ei diskontattu.")
    text = (f"Palvelujen käytön kustannukset on laskettu käynneistä ja yksikkökustannuksista: kullekin "
            f"käynnille on valittu tarkin täsmäävä yksikkökustannus (palvelu, ammattiryhmä ja yhteystapa; "
            f"tyhjä kenttä tarkoittaa mitä tahansa), ja kaikki kustannukset on muunnettu vuoden "
            f"{s['cost_year']} hintatasoon hintaindeksillä. Toimintamallin kustannukset on jaettu "
            f"analysoiduille asiakkaille (kokonaiskustannus), laskettu asiakasta kohden tai istuntojen määrän "
            f"mukaan. {disc} Luottamusvälit ovat bootstrap-persentiilivälejä "
            f"({format_number(s['bootstrap_reps'])} otosta, kiinteä siemenluku).")
    if result.ce is not None:
        what, _ = outcome_label(result.outcome)
        text += (f" Kustannusvaikuttavuudessa asiakkaan kustannus on toimintamallin kustannus + palvelujen "
                 f"käytön kustannus seurantajaksolla ja vaikutus {what}. Kustannus ja vaikutus on "
                 "poimittu bootstrap-otoksiin pareittain saman asiakkaan tiedoista ryhmän sisällä "
                 "(Briggs ym. 1997); lisäkustannus (ΔC), lisävaikutus (ΔE), ICER, nettohyöty (INMB), "
                 "hyväksyttävyyskäyrä (CEAC) ja täydellisen tiedon odotusarvo (EVPI) on laskettu R:n "
                 "BCEA-paketin kaavoilla. ICERin luottamusväli on laskettu kulmajärjestyksellä, eikä sitä "
                 "anneta, jos ΔE:n otokset ovat nollan molemmin puolin.")
        if result.missing_effect.get("handling") == "zero":
            text += (" Asiakkaat, joilta tulosmuuttuja puuttui (esimerkiksi hoito jäi kesken), on laskettu "
                     "tulokseksi 'ei saavutettu', jotta kaikkien aloittaneiden kustannukset ovat mukana.")
    text += (f" Herkkyysanalyysissa yksikkökustannuksia ja toimintamallin kustannusta vaihdeltiin "
             f"±{format_number(100 * s['sensitivity_spread'], language=language)} %, diskonttokorkoa 0–5 % "
             "ja maksuhalukkuutta puolesta kaksinkertaiseen.")
    return text


def costs_limitations(result: Any, *, language: str = "fi") -> str:
    """Limitations paragraph."""
    parts = ["Yksikkökustannukset ovat keskimääräisiä kustannuksia; ne eivät kuvaa lisäkäynnin todellista "
             "rajakustannusta. Tuottavuusvaikutukset (esimerkiksi työtulot ja etuudet) eivät sisälly laskelmaan."]
    if not result.has_comparison:
        parts.append("Ilman vertailuryhmää kustannusten muutosta ei voi pitää toimintamallin vaikutuksena, eikä "
                     "lisäkustannusta tulosta kohden voi laskea.")
    else:
        parts.append("Vertailuryhmä ei ole satunnaistettu, joten ryhmien erot voivat johtua myös asiakkaiden "
                     "eroista.")
    return " ".join(parts)
