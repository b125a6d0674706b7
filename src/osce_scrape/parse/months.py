"""Month names in the languages the OSCE publishes in, and which language a month name is written in.

A table lookup answers for the forms listed here (nominative and genitive where a language inflects);
other forms of the same word are found by their stem ("марты", "сентябри", "augusta"); dateparser answers
for the rest. Only the short month word ever reaches dateparser (it is slow on whole texts).
"""

from __future__ import annotations

from functools import lru_cache

# January first; "a|b" are forms of one month. Casefolded. Order matters where two languages write one
# word for different months ("listopada": October in Croatian, November in Polish): the first wins
# unless the page's language says otherwise.
MONTH_NAMES: dict[str, str] = {
    "en": "january february march april may june july august september october november december",
    "ru": "января|январь февраля|февраль марта|март апреля|апрель мая|май июня|июнь июля|июль "
          "августа|август сентября|сентябрь октября|октябрь ноября|ноябрь декабря|декабрь",
    "uk": "січня|січень лютого|лютий березня|березень квітня|квітень травня|травень червня|червень "
          "липня|липень серпня|серпень вересня|вересень жовтня|жовтень листопада|листопад грудня|грудень",
    "de": "januar|jänner februar märz april mai juni juli august september oktober november dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    "sr": "januar|januara februar|februara mart|marta april|aprila maj|maja jun|juna|juni jul|jula|juli "
          "avgust|avgusta|august|augusta septembar|septembra oktobar|oktobra novembar|novembra "
          "decembar|decembra",
    "sr-cyrl": "јануар|јануара фебруар|фебруара март|марта април|априла мај|маја јун|јуна јул|јула "
               "август|августа септембар|септембра октобар|октобра новембар|новембра децембар|децембра",
    "hr": "siječnja|siječanj veljače|veljača ožujka|ožujak travnja|travanj svibnja|svibanj lipnja|lipanj "
          "srpnja|srpanj kolovoza|kolovoz rujna|rujan listopada|listopad studenoga|studenog|studeni "
          "prosinca|prosinac",
    "sq": "janar shkurt mars prill maj qershor korrik gusht shtator tetor nëntor|nentor dhjetor",
    "mk": "јануари февруари март април мај јуни јули август септември октомври ноември декември",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre|setiembre octubre noviembre "
          "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pl": "stycznia|styczeń lutego|luty marca|marzec kwietnia|kwiecień maja|maj czerwca|czerwiec "
          "lipca|lipiec sierpnia|sierpień września|wrzesień października|październik listopada|listopad "
          "grudnia|grudzień",
    "cs": "ledna|leden února|únor března|březen dubna|duben května|květen června|červen "
          "července|červenec srpna|srpen září října|říjen listopadu|listopad prosince|prosinec",
    "hu": "január február március április május június július augusztus szeptember október november "
          "december",
    "tr": "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
    "kk": "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан",
    "uz": "yanvar fevral mart aprel may iyun iyul avgust sentabr|sentyabr oktabr|oktyabr noyabr dekabr",
    "tg": "январ феврал март апрел май июн июл август сентябр октябр ноябр декабр",
    "ka": "იანვარი თებერვალი მარტი აპრილი მაისი ივნისი ივლისი აგვისტო სექტემბერი ოქტომბერი ნოემბერი "
          "დეკემბერი",
    "hy": "հունվարի|հունվար փետրվարի|փետրվար մարտի|մարտ ապրիլի|ապրիլ մայիսի|մայիս հունիսի|հունիս "
          "հուլիսի|հուլիս օգոստոսի|օգոստոս սեպտեմբերի|սեպտեմբեր հոկտեմբերի|հոկտեմբեր "
          "նոյեմբերի|նոյեմբեր դեկտեմբերի|դեկտեմբեր",
}  # fmt: skip
STEM_CHARS = 4  # "марты" and "сентябри" share four letters with "март" and "сентябрь"; no two months do


def _tables() -> tuple[dict[str, dict[str, int]], dict[str, int], dict[str, str]]:
    by_language: dict[str, dict[str, int]] = {}
    languages_of: dict[str, set[str]] = {}
    for language, months in MONTH_NAMES.items():
        table = by_language.setdefault(language, {})
        for number, forms in enumerate(months.split(), start=1):
            for form in forms.split("|"):
                table[form] = number
                languages_of.setdefault(form, set()).add(language.split("-")[0])
    anywhere: dict[str, int] = {}
    for table in by_language.values():
        for form, number in table.items():
            anywhere.setdefault(form, number)
    unique = {form: next(iter(langs)) for form, langs in languages_of.items() if len(langs) == 1}
    return by_language, anywhere, unique


_BY_LANGUAGE, MONTHS, _LANGUAGE_OF = _tables()
_ENGLISH_ABBREVIATIONS = {name[:3]: number for name, number in _BY_LANGUAGE["en"].items()} | {"sept": 9}


def month_number(word: str, language: str | None = None) -> int | None:
    """1-12 for a month name or abbreviation, in the page's language first, then in any known one."""
    key = word.casefold().strip(".,")
    if language and (found := _BY_LANGUAGE.get(language, {}).get(key)):
        return found
    if key in MONTHS:
        return MONTHS[key]
    if len(key) <= 4 and key[:4] in _ENGLISH_ABBREVIATIONS:  # "Apr", "Sept"
        return _ENGLISH_ABBREVIATIONS[key[:4]]
    if len(key) <= 4 and key[:3] in _ENGLISH_ABBREVIATIONS:
        return _ENGLISH_ABBREVIATIONS[key[:3]]
    # dateparser only for the page's own language: without a hint it loads every language it knows
    # (tens of MB, once per process), and the tables and stems above cover the site's languages.
    return _by_stem(key) or (_by_dateparser(key, language) if language and language != "en" else None)


def month_language(word: str) -> str | None:
    """The language a month name is written in, when only one language writes it so ("aprilie": ro)."""
    return _LANGUAGE_OF.get(word.casefold().strip(".,"))


def month_languages(word: str) -> set[str]:
    """Every language that writes this month name ("marzo": es and it)."""
    key = word.casefold().strip(".,")
    return {language.split("-")[0] for language, table in _BY_LANGUAGE.items() if key in table}


@lru_cache(maxsize=1024)
def _by_stem(word: str) -> int | None:
    if len(word) < STEM_CHARS:
        return None
    numbers = {number for form, number in MONTHS.items() if form[:STEM_CHARS] == word[:STEM_CHARS]}
    return numbers.pop() if len(numbers) == 1 else None


@lru_cache(maxsize=512)
def _by_dateparser(word: str, language: str) -> int | None:
    import dateparser  # late: ~0.1 s to import, and most pages never need it

    languages = [language]
    try:
        # REQUIRE_PARTS: else dateparser fills a month it did not read with the current one.
        settings = {"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}
        parsed = dateparser.parse(f"15 {word} 2000", languages=languages, settings=settings)
    except (ValueError, LookupError):  # dateparser raises these for languages it does not know
        return None
    return parsed.month if parsed and parsed.year == 2000 and parsed.day == 15 else None
