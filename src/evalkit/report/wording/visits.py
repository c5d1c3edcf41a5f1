"""Report text of the visits measure (käyntimäärät), generated from a ``VisitsResult``.

Evidence rules (``wording.common``): without a comparison group a change is *observed*
(``havaittiin``) and the regression-to-the-mean caveat follows; an interval crossing 1 is
"muutosta ei voitu osoittaa"; only the difference-in-differences estimate of a comparison
design may be called the model's estimated effect, and it leads the text.
"""

from __future__ import annotations

from typing import Any

from ...results import Estimate
from ..fmt import format_date, format_estimate, format_number
from ..i18n import code_label, lookup
from .its import its_autocorrelation_sentence

__all__ = ["visits_limitations", "visits_methods", "visits_narrative"]

_GROUP = {"intervention": "toimintamallin asiakkailla", "comparison": "vertailuryhmässä"}


def _get(result: Any, indicator: str, group: str = "all") -> Estimate | None:
    try:
        return result.get(indicator, group)
    except KeyError:
        return None


def _crosses_one(e: Estimate) -> bool:
    return e.ci_low is None or e.ci_high is None or e.ci_low <= 1.0 <= e.ci_high


def _percent_change(ratio: float) -> str:
    pct = abs(ratio - 1.0) * 100
    return f"{format_number(pct, 0)} % {'vähemmän' if ratio < 1 else 'enemmän'}"


def _too_small(e: Estimate | None, min_cell: int) -> bool:
    return e is None or e.n is None or e.n < min_cell


def visits_narrative(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The findings paragraph: the comparison (DiD) first when there is one, else the
    observed change with its caveat."""
    s = result.settings
    lo, hi = s["pre_window"]
    plo, phi = s["post_window"]
    parts: list[str] = []
    n_int = _get(result, "clients", "intervention")
    n_cmp = _get(result, "clients", "comparison")
    if _too_small(n_int, min_cell):
        return (f"Toimintamallin asiakkaita oli analyysissa alle {min_cell}, joten käyntimääriä ei "
                "raportoida tietosuojan vuoksi.")
    who = f"Analyysissa oli {format_number(n_int.n)} toimintamallin asiakasta"
    if result.has_comparison and not _too_small(n_cmp, min_cell):
        who += f" ja {format_number(n_cmp.n)} vertailuryhmän asiakasta"
    parts.append(f"{who}. Käyntejä verrattiin aloitusta edeltäneeltä jaksolta ({-lo}–{-hi} päivää "
                 f"ennen aloitusta) ja aloituksen jälkeiseltä jaksolta (päivät {plo}–{phi}).")

    did = _get(result, "did_rate_ratio")
    compare = result.has_comparison and did is not None and not _too_small(n_cmp, min_cell)
    if compare:
        if _crosses_one(did):
            parts.append(
                "Toimintamallin asiakkaiden käyntimäärän muutos ei eronnut osoitettavasti vertailuryhmän "
                f"muutoksesta: erotuserotusten suhde oli {format_estimate(did, language=language)}. "
                "Toimintamallin vaikutusta käyntimääriin ei siis voitu osoittaa.")
        else:
            direction = "vähenivät" if did.estimate < 1 else "lisääntyivät"
            parts.append(
                f"Vertailuryhmään verrattuna toimintamallin asiakkaiden käynnit {direction}: "
                f"erotuserotusten suhde oli {format_estimate(did, language=language)}, eli muutoksen "
                f"jälkeen käyntejä oli {_percent_change(did.estimate)} kuin vertailuryhmän muutoksen "
                "perusteella olisi odotettu. Tämä on toimintamallin arvioitu vaikutus käyntimääriin "
                "sillä oletuksella, että ryhmien käyntimäärät olisivat ilman toimintamallia "
                "muuttuneet samalla tavalla.")

    for g in result.groups:
        if g == "comparison" and not compare:
            continue
        pre = _get(result, "rate_pre", g)
        post = _get(result, "rate_post", g)
        rr = _get(result, "rate_ratio", g)
        if pre is None or post is None or rr is None or _too_small(rr, min_cell):
            continue
        rates = (f"{_GROUP[g].capitalize()} oli ennen aloitusta {format_estimate(pre, language=language)} "
                 f"käyntiä henkilökuukautta kohden ja aloituksen jälkeen "
                 f"{format_estimate(post, language=language)}.")
        if _crosses_one(rr):
            change = ("Muutosta ei voitu osoittaa: jälkeen / ennen -suhde "
                      f"{format_estimate(rr, language=language)}.")
        else:
            change = (f"Havaittu muutos: käyntejä oli aloituksen jälkeen {_percent_change(rr.estimate)}; "
                      f"jälkeen / ennen -suhde {format_estimate(rr, language=language)}.")
        parts.append(f"{rates} {change}")

    if not compare:
        parts.append(
            "Vertailuryhmää ei ollut, joten havaittua muutosta ei voi pitää toimintamallin vaikutuksena: "
            "asiakkaat aloittavat usein tilanteessa, jossa palveluntarve on tavallista suurempi, ja "
            "käynnit vähenevät silloin osin itsestään (regressio kohti keskiarvoa).")

    pt = _get(result, "pretrend_did_rate_ratio")
    if compare and pt is not None and not _crosses_one(pt):
        parts.append(
            "Ryhmien käyntimäärät kehittyivät eri tavoin jo ennen aloitusta (esijakson jälkimmäisen "
            f"ja ensimmäisen puoliskon suhteiden suhde {format_estimate(pt, language=language)}), mikä "
            "heikentää vertailun luotettavuutta.")

    nb = _get(result, "nb_did_rate_ratio" if compare else "nb_rate_ratio",
              "all" if compare else "intervention")
    if nb is not None:
        parts.append(f"Negatiivisella binomimallilla vastaava suhde oli {format_estimate(nb, language=language)}.")

    lvl = _get(result, "its_level_change")
    if lvl is not None:
        when = format_date(s["its_change"], language=language) if hasattr(s["its_change"], "year") \
            else str(s["its_change"])
        text = (f"Palvelun kuukausittaisten käyntien aikasarjassa tasomuutos {when} alkaen oli "
                f"{format_estimate(lvl, language=language)}")
        parts.append(text + (" (muutosta ei voitu osoittaa)." if _crosses_one(lvl) else "."))
        limitation = its_autocorrelation_sentence(getattr(result, "its", None), "visits", language=language)
        if limitation:
            parts.append(limitation)
    return " ".join(parts)


def visits_methods(result: Any, *, language: str = "fi") -> str:
    """The methods paragraph."""
    s = result.settings
    filt = "; ".join(f"{lookup(f'codes.names.{k}', language) or k}: {', '.join(code_label(k, x, language) for x in v)}"
                     for k, v in s["filters"].items()) or "kaikki käynnit"
    start = format_date(s["data_start"], language=language)
    start_note = " (aineiston varhaisin käyntipäivä, koska aineiston alkua ei annettu)" \
        if s["data_start_inferred"] else ""
    washout = (f" Aloitusta välittömästi edeltäneet {s['washout']} päivää jätettiin pois esijaksolta "
               "(wash-out)." if s["washout"] else "")
    text = (
        f"Käynnit ({filt}) laskettiin kullekin asiakkaalle hänen omaan aloituspäiväänsä nähden: "
        f"esijakso päivät {s['pre_window'][0]}…{s['pre_window'][1]} ja seurantajakso päivät "
        f"{s['post_window'][0]}…{s['post_window'][1]}.{washout} Altistusaika on jakson päivät, joilta "
        f"asiakkaan tiedot ovat saatavilla: aineiston alusta {start}{start_note} seurannan päättymiseen "
        f"tai aineiston poimintapäivään {format_date(s['data_cutoff'], language=language)}. Käyntitiheys "
        "ilmoitetaan käynteinä henkilökuukautta (30,4375 päivää) kohden. Jälkeen / ennen -suhteet ja "
        "vertailuryhmän kanssa erotuserotusten suhde estimoitiin Poisson-regressiolla (log-linkki, "
        "altistusajan logaritmi offsetina) asiakkaittain klusterirobustein keskivirhein; herkkyysanalyysina "
        "käytettiin negatiivista binomimallia, jonka ylihajontaparametri estimoitiin. Asiakaskohtaisen "
        f"muutoksen keskiarvolle laskettiin bootstrap-luottamusväli ({s['bootstrap_reps']} otosta, "
        "kiinteä satunnaislukusiemen) ja Wilcoxonin merkittyjen sijalukujen testi. Esijakson trendiä "
        "tarkasteltiin vertaamalla esijakson jälkimmäistä puoliskoa ensimmäiseen.")
    if s.get("its_change") is not None:
        text += (" Palvelun kaikkien käyntien kuukausisarjasta laskettiin keskeytetty aikasarja "
                 "(segmentoitu Poisson-regressio, kausivaihtelutermit; keskivirheenä suurempi Newey–West- ja "
                 "heteroskedastisuusrobusteista keskivirheistä, koska pelkkä Newey–West-keskivirhe on lyhyissä "
                 "sarjoissa liian pieni; Lopez Bernal ym. 2017). Peräkkäisten kuukausien riippuvuus testattiin "
                 "linearisoidun mallin rajoitetun uskottavuuden osamäärätestillä (AR(1)-kerroin φ > 0, "
                 "yksisuuntainen, 5 %:n taso); lukumäärien Poisson-mallille AR(1)-korjausta ei ole "
                 "käytettävissä, joten riippuvuus mainitaan tuloksissa rajoituksena.")
    return text


def _count(n: int, min_cell: int) -> str:
    return f"alle {min_cell}" if 0 < n < min_cell else format_number(n)


def visits_limitations(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The limitations paragraph (regression to the mean first)."""
    parts = [
        "Regressio kohti keskiarvoa: asiakkaat ohjautuvat palveluun usein kriisin tai tavallista "
        "suuremman palveluntarpeen aikana, jolloin käynnit vähenevät myöhemmin osin itsestään "
        "(Linden 2013). Kuvio käyntitiheydestä kuukausittain ennen aloitusta näyttää, oliko käyntimäärä "
        "koholla juuri ennen aloitusta."]
    if result.has_comparison:
        parts.append("Vertailuryhmä ei ole satunnaistettu: ryhmät voivat erota tavoilla, joita aineisto "
                     "ei kuvaa, ja erotuserotusten tulkinta edellyttää, että käyntimäärät olisivat ilman "
                     "toimintamallia kehittyneet samansuuntaisesti.")
    else:
        parts.append("Ilman vertailuryhmää ei voida erottaa toimintamallin vaikutusta muista samaan "
                     "aikaan tapahtuneista muutoksista (esim. palveluiden saatavuus, hoitokäytännöt).")
    cens = result.censored
    pre, post = cens.get("pre_by_data_start", 0), cens.get("post_by_followup", 0)
    short = [f"esijakso oli aineiston alun vuoksi lyhyempi {_count(pre, min_cell)} asiakkaalla" if pre else "",
             f"seurantajakso oli seurannan päättymisen tai poimintapäivän vuoksi lyhyempi "
             f"{_count(post, min_cell)} asiakkaalla" if post else ""]
    short = [x for x in short if x]
    if short:  # only the periods that were cut short ("lyhyempi 0 asiakkaalla" says nothing)
        text = " ja ".join(short).replace(" ja seurantajakso oli ", " ja seurantajakso ")
        parts.append(f"{text[0].upper()}{text[1:]}; käyntitiheys on laskettu havaituilta päiviltä.")
    for note in result.notes:
        parts.append(note)
    return " ".join(parts)
