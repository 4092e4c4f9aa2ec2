"""What a question asks for, beyond its topic: a kind of part, a figure, or something no entry gives.

Pure pattern matching on normalised text (see knowledge.text.normalize). Each reading is one more piece of
evidence for the engine's models, which weigh it against the rest; none decides an answer alone.
"""

from __future__ import annotations

import re

from knowledge.text import EN_STOPWORDS

# "Which item covers budgets?", "どの原則に当たる?": the answer is one item (principle, appendix), not an overview.
_WHICH = r"\b(?:which|what)\s+(?:one\s+)?(?:(?:of\s+the\s+)?(?:10|ten|3|three|six|6)\s+)?"
_WHICH_JA = "どの|どれの?|何番目?の?"
_ASKED_KIND = {
    kind: re.compile(rf"{_WHICH}(?:{english})\b|(?:{_WHICH_JA})(?:{japanese})|(?:{japanese})の?(?:どれ|何番)")
    for kind, english, japanese in (
        ("item", r"(?:action\s+)?(?:items?|directions?|directives?)", "指示|項目"),
        ("principle", "principles?|principals?", "原則"),
        ("appendix", "appendix|appendices|annex(?:es)?", "付録|別添"),
    )
}

# Products people ask the bot to configure for them (the "setup" kind below).
_IT_PRODUCTS = (
    r"\b(?:mfa|2fa|multi-factor|two-factor|2-step|two-step|vpn|firewalls?|fortigate|dmarc|spf|dkim|edr|mdm|routers?"
    r"|wi-?fi|outlook|windows|m365|microsoft\s?365|office\s?365|google\s?workspace|aws|azure|iam|conditional\s+access"
    r"|active\s+directory)\b"
)
# Requests the knowledge base never serves, whatever their topic, by kind: a pick among products or vendors, a
# price or a salary, a forecast (the next edition), IT support (set up MFA), a task (translate this, draft that).
# "Which EDR product should we buy for Direction 5?" names a part, but no entry answers it.
_UNSERVED_REQUESTS = {
    kind: re.compile("|".join(patterns))
    for kind, patterns in (
        (
            "pick",
            (
                # asked of the bot, not what the guidelines recommend ("does METI recommend a CISO?")
                r"\brecommend\s+(?:me|us)\b|\brecommend\s+(?:a|an|some)\s+(?:good|decent|reliable|cheap)\b"
                r"|\brecommend\s+the\s+best\b|\b(?:can|could|would)\s+you\s+recommend\b"
                r"|\bwhat\s+(?:would|do)\s+you\s+recommend\b|\bplease\s+recommend\b",
                r"\b(?:best|recommended|cheapest)\s+(?:[\w-]+\s+){0,3}(?:products?|tools?|vendors?|providers?|software"
                r"|suppliers?|firms?|brands?|config(?:uration)?s?|settings?)\s+(?:to|for|in)\b",
                # "which tool should we use?" may mean IPA's own (free) self-check tool, so tools are not picks here
                r"\bwhich\s+(?:[\w-]+\s+){0,2}(?:products?|vendors?|providers?|software|brands?)\s+should\b",
                r"\bwhich\s+(?:[\w-]+\s+){0,2}(?:products?|vendors?|providers?|software|brands?)\b[^?.]*\bbest\b",
                r"\bwhich\s+(?:[\w-]+\s+){0,2}(?:insurers?|isacs?|consultan(?:t|ts|cy|cies)|brands?)\b",
                # a product named for you, even in METI's name: the guidelines name none ("which EDR product does
                # METI recommend?"); and the bot's own taste ("which one would you use?")
                r"\bwhich\s+(?:[\w-]+\s+){0,2}(?:products?|vendors?|providers?|software|brands?)\s+(?:does|do|did|would)\s+"
                r"(?:[\w-]+\s+){0,3}recommend\b|\bwould\s+you\s+(?:use|choose|pick|buy)\b",
                r"\bbest\s+(?!practi)(?:[\w-]+\s+){0,2}(?:password\s+managers?|anti-?virus|siem|edr|vpn|firewalls?|mfa)\b",
                # asked of the bot; what the guidelines recommend (おすすめされている対策) is their content
                "(?:おすすめ|お勧め|オススメ|お薦め)(?!され)|どこの(?:製品|ベンダ|業者|会社|サービス)"
                "|(?:おすすめ|推奨)され[^?？。]*(?:会社|製品|業者|ベンダ)",
            ),
        ),
        (
            "price",
            (
                r"\bhow\s+much\s+(?:does|do|would|will|should|could|can|is|are)\b[^?.]*\b(?:cost|charge|fine)\b",
                r"\b(?:prices?|pricing|salary|salaries|premiums?)\b",
                "相場|料金|保険料|年会費|年収|給料|価格|株価|費用感|費用の目安",
            ),
        ),
        (
            # what has not happened yet: the next edition, a revision's date. The knowledge base records what was
            # published; "when will the 5th edition come out?" has no answer in it, "the next version after Ver 1.0"
            # does.
            "forecast",
            (
                r"\bwhen\s+(?:will|is|are|does|do)\b[^?.]*\b(?:come\s+out|coming\s+out|be\s+(?:released|published"
                r"|revised|updated|out))\b|\b(?:next|upcoming|future)\s+(?:version|edition|revision)\b(?!\s+after\b)",
                "いつ(?:出ます|出る|頃?公開され(?:ます|る)|発表され(?:ます|る)|改訂され(?:ます|る)|発行され(?:ます|る))"
                # "Ver2.0の次の改訂" is Ver 3.0, already out: only an unanchored "next" looks ahead
                "|いつ[^。、？?]{0,8}予定|予定日|次期版|(?<!の)次の(?:改訂|版|バージョン)|次回の?改訂|今後の改訂",
            ),
        ),
        (
            # IT support: configuring a product, resetting a password. The guidelines say what to have, never
            # which buttons to press; the product named keeps "how do we set up a CSIRT?" a question.
            "setup",
            (
                rf"\bhow\s+(?:do|can|should|would)\s+(?:i|we|you)\s+(?:set\s+up|reset|configure|install|turn\s+on"
                rf"|enable|disable|change|unlock)\b[^?.]{{0,40}}?(?:{_IT_PRODUCTS}|\b(?:laptop|phone|printer|email"
                r"|profile\s+(?:photo|picture)|out-of-office|geo-blocking)\b)",
                rf"\b(?:steps|instructions|how)\s+to\s+(?:set\s+up|configure|enable|turn\s+on|install)\s+(?:[\w-]+\s+){{0,2}}"
                rf"(?:{_IT_PRODUCTS})",
                r"\b(?:reset|forgot|forgotten)\s+(?:my\s+|our\s+|the\s+)?(?:[a-z]+\s+)?passwords?\b|\bpassword\s+reset\b",
                "パスワードを?(?:忘れ|リセット)"
                f"|(?:{_IT_PRODUCTS}|多要素認証|二段階認証|二要素認証|ファイアウォール|パスワードポリシー|グループポリシー|スマホ"
                "|パソコン|ルータ|メール|ポート)[^。？?]{0,25}(?:設定|インストール|開放)(?:方法|手順|の仕方|のやり方|する(?:方法|手順|やり方))",
            ),
        ),
        (
            "task",
            (
                r"(?:^|\b(?:please|you|me|us)\s+)translate\b|\btranslate\s+(?:this|that|it|our|my|the\s+following)\b"
                "|翻訳して|訳して",
                # a drafting job, asked for in the imperative: "draft us a memo", "can you write a policy for us"
                r"(?:^|[.!?:]\s*|\b(?:can|could|would|will)\s+you\s+|\bplease\s+|\bhelp\s+(?:me|us)\s+)"
                r"(?:draft|write|compose|prepare|create)\s+(?:me\s+|us\s+)?(?:a|an|the|our|some)\b",
                r"\b(?:write|draft)\s+(?:me|us)\s+(?:a|an|the)\b"
                r"|\bgive\s+(?:me|us)\s+(?:a|an|some)\s+(?:model|sample|template|draft)\b",
                r"\bverbatim\b|\bword\s+for\s+word\b|\bpaste\s+(?:the|all|in)\b",
                # a form filled in on the user's behalf: "please fill in the A-2 sheet for our company"
                r"(?:^|[.!?:]\s*|\b(?:can|could|would|will)\s+you\s+|\bplease\s+)(?:fill\s+(?:in|out)|complete)\s+(?:the|our|my|this)\b",
                "代わりに(?:決め|考え|書い|作っ)|(?:書い|作成し|作っ|記入し|入力し|埋め)て(?:ください|くれ|ほしい|もらえ)"
                "|原文のまま|全文を"
                "|貼り付け|そのまま(?:引用|列挙)",
            ),
        ),
    )
}

# Questions that ask for a figure: "how many hours", "what percentage", "何人", "いくつ". When the leading entry's
# answer gives none, it cannot be the answer: "How many drills a year does Direction 7 require?"
_ASKS_FIGURE = re.compile(
    r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:percentage|percent|ratio|number|target)\b"
    "|何(?:人|%|パーセント|時間|日|件|回|割|か月|ヶ月|点|社)|いくつ|目標値"
)
# The unit of the figure asked for: an answer with some other figure ("ten directions", "2 years") does not give
# "how many public comments", "何%" or "何日以内".
_ASKED_UNIT_EN = re.compile(
    r"\bhow\s+many\s+(?:more\s+|of\s+the\s+)?([a-z]+)(?:\s+([a-z]+))?"
    r"|\bwhat\s+(?:exact\s+|specific\s+|minimum\s+|maximum\s+)?(percentage|percent)\b"
)
_ASKED_UNIT_JA = re.compile(
    "何(人|%|パーセント|時間|時|日|週間|件|回|割|か月|ヶ月|点|社|世代|ページ|年|万|億|円|名|個|種類|項目|条|歳)|(いくら)"
)
# A fine, a penalty or damages asked for as an amount: "what is the maximum GDPR fine?", "罰則はどのくらい?"
_ASKED_AMOUNT = re.compile(
    r"\b(?:maximum|max|largest|biggest|highest)\s+(?:[a-z]+\s+)?(?:fines?|penalt(?:y|ies)|damages|compensation)\b"
    r"|\bhow\s+(?:much|big|large|high)\s+(?:a\s+|the\s+|is\s+the\s+|are\s+the\s+)?(?:[a-z]+\s+)?"
    r"(?:fines?|penalt(?:y|ies)|compensation|damages)\b"
    "|(?:罰金|罰則|賠償|補償|慰謝料|過料|制裁金)(?:の額|額|金額)?(?:は|が)?(?:最大|上限|どのくらい|どれくらい|どれほど)"
    "|(?:罰金|賠償金|補償金|制裁金)の?(?:額|金額)"
)
_SAME_UNIT = {"パーセント": "%", "ヶ月": "か月"}
AMOUNT = "<amount>"  # money, or a share of it: "いくら", answered by "500万円", "1%" or "free"
# Details that are not counts but have a shape an answer either has or lacks: a person ("who chaired the study
# group?", "委員名簿"), a page ("which page of the PDF?").
PERSON, PAGE = "<person>", "<page>"
_ASKED_DETAIL = {
    PERSON: re.compile(
        r"\bwho\s+(?:chair(?:ed|s)?|sat\s+on|served\s+on|were\s+the\s+members)\b"
        r"|\bwho\s+(?:was|is)\s+the\s+(?:chair|chairman|chairperson)\b|\bmember\s+list\b"
        r"|\bnames?\s+of\s+the\s+(?:members|authors|chair)"
        "|座長|委員長|委員名簿|委員の名前|メンバーの名前|メンバーは誰"
    ),
    PAGE: re.compile(r"\b(?:which|what)\s+page\b|\bpage\s+number|何ページ目|どのページ|ページ番号"),
}
_NUMBER_EN = r"(?:[0-9]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand))"
_UNIT_FIGURES = {
    "%": re.compile(r"[0-9]\s*(?:%|percent)|[0-9]割"),
    PERSON: re.compile(r"(?:prof|dr|mr|ms|mrs)\.\s|\bprofessor\s|氏[、。(（\s]|教授|先生"),
    PAGE: re.compile(r"\bp\.?\s*[0-9]|\bpages?\s+[0-9]|[0-9]+\s*(?:ページ|頁)"),
    AMOUNT: re.compile(r"[0-9]\s*(?:%|percent|yen|円|万|億|million|billion|dollars?)|[$¥][0-9]|\bfree\b|無料|無償"),
}

# What an answer says besides the parts and versions it names and the years it gives: "Direction 8", "Ver 3.0",
# "Appendix A-2" and "2023年" are not figures.
_NOT_A_FIGURE = re.compile(
    r"(?:direction|item|principle|appendix|ver\.?|version|指示|原則|付録|項目|別添|第)\s*[0-9a-f][0-9a-f.\-]*"
    r"|\b(?:19|20)[0-9]{2}\b|(?:19|20)[0-9]{2}年"
)

# A version of the guidelines that does not exist (yet): "When is Ver 4.0 coming out?". A version of something
# else ("CIS Controls v8", "NIST CSF version 2") is not one.
_UNKNOWN_VERSION = re.compile(
    r"(?<![a-z0-9.])(?:ver|version|バージョン)\s*\.?\s*(?:[4-9]|[1-9][0-9])(?:\.[0-9])?(?![0-9a-z])"
)
_OTHER_PRODUCT = re.compile(r"(?:controls?|csf|cis|nist|iso|cobit|dss|tls|ssl|ip|windows|office|python)\s*$")


def asked_kinds(normalized: str) -> frozenset[str]:
    """The kinds of single part a question asks for: "which item covers budgets?" -> {"item"}."""
    return frozenset(kind for kind, pattern in _ASKED_KIND.items() if pattern.search(normalized))


def unserved_requests(normalized: str) -> frozenset[str]:
    """The kinds of request no entry usually serves that a question makes: "pick" (a product, vendor or
    insurer), "price" (a price, fee or salary), "forecast" (an edition or revision still to come), "setup"
    (configuring a product, resetting a password), "task" (translate, draft, fill in a form, quote verbatim).

    Signing up is left out on purpose: "how do we register for SECURITY ACTION?" is a question the knowledge
    base answers."""
    return frozenset(kind for kind, pattern in _UNSERVED_REQUESTS.items() if pattern.search(normalized))


def asks_figure(normalized: str) -> bool:
    """Does the question ask for a figure: a count, an amount, a share, a duration?"""
    return _ASKS_FIGURE.search(normalized) is not None or bool(asked_units(normalized))


def asked_units(normalized: str) -> frozenset[str]:
    """What the figure a question asks for counts: "how many public comments" -> "public comments", "何件" -> "件",
    "what percentage" -> "%", "いくら" -> AMOUNT; and the details it asks for that have a shape: PERSON, PAGE.
    ("How much" and "how long" are left out: "how much should we spend?" is answered by the guidelines'
    principle, with no figure.)"""
    found = set()
    for first, second, percent in _ASKED_UNIT_EN.findall(normalized):
        found.add("%" if percent else " ".join(word for word in (first, second) if word and word not in EN_STOPWORDS))
    for counter, price in _ASKED_UNIT_JA.findall(normalized):
        found.add(AMOUNT if price else _SAME_UNIT.get(counter, counter))
    if _ASKED_AMOUNT.search(normalized):
        found.add(AMOUNT)
    found.update(detail for detail, pattern in _ASKED_DETAIL.items() if pattern.search(normalized))
    found.discard("")
    return frozenset(found)


def gives_unit(normalized_answer: str, unit: str) -> bool:
    """Does an answer state a figure in that unit (a number, then the unit), or a detail of that shape?"""
    if unit in _UNIT_FIGURES:
        return _UNIT_FIGURES[unit].search(normalized_answer) is not None
    if unit.isascii():  # the noun asked about, within a few words of a number: "120 comments", "ten directions"
        nouns = "|".join(word.removesuffix("s") for word in unit.split())
        # a year is not a count: "released in 2023 with added cases" does not say how many cases
        counted = _NOT_A_FIGURE.sub(" ", normalized_answer)
        return re.search(rf"{_NUMBER_EN}\s+(?:[a-z,-]+\s+){{0,4}}(?:{nouns})", counted) is not None
    return re.search(rf"[0-9]\s*{unit}", normalized_answer) is not None


def gives_figures(normalized_answer: str) -> bool:
    """Does an answer state a figure (a count, a share, a date, a deadline) besides naming parts and years?"""
    return any(char.isdigit() for char in _NOT_A_FIGURE.sub(" ", normalized_answer))


def names_unknown_version(normalized: str) -> bool:
    """Does the question name a version of the guidelines after Ver 3.0?"""
    return any(
        not _OTHER_PRODUCT.search(normalized[max(0, match.start() - 12) : match.start()])
        for match in _UNKNOWN_VERSION.finditer(normalized)
    )
