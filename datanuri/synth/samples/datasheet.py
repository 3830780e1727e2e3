"""A sample dataset's datasheet (Gebru et al., "Datasheets for Datasets"), Korean then English,
as the plain text the catalog keeps as the dataset's description."""

from __future__ import annotations

from datanuri.synth.samples.model import SampleKind, Text

# The datasheet's headings in the paper's order; the kinds write the first three, the rest is
# the same for every kind.
HEADINGS: dict[str, Text] = {
    "motivation": Text("동기", "Motivation"),
    "composition": Text("구성", "Composition"),
    "collection": Text("수집 과정(생성 모형)", "Collection process (the generating model)"),
    "preprocessing": Text("전처리·정제·라벨링", "Preprocessing, cleaning, labelling"),
    "uses": Text("용도", "Uses"),
    "distribution": Text("배포", "Distribution"),
    "maintenance": Text("유지 관리", "Maintenance"),
    "properties": Text("보장하는 성질(테스트로 확인)", "Stated properties (checked by tests)"),
}
COMMON: dict[str, Text] = {
    "preprocessing": Text(
        "없습니다. 모든 값은 모형에서 바로 생성되며 실제 자료를 전처리한 것이 아닙니다.",
        "None: every value comes straight from the model; no real data was processed.",
    ),
    "uses": Text(
        "개발, 시험, 교육, 성능 측정용입니다. 실제 사람이나 시장에 대한 통계적 결론을 내리는 "
        "데에는 쓰지 마세요: 분포는 위 모형의 것이지 현실의 측정값이 아닙니다.",
        "Development, testing, teaching and benchmarking. Do not draw conclusions about real "
        "people or markets from it: its distributions are the model's above, not measurements.",
    ),
    "distribution": Text(
        "datanuri synth samples --kind {kind} --rows N --seed S 로 누구나 같은 파일을 다시 "
        "만들 수 있습니다(같은 시드, 같은 행 수, 같은 내용). 행 수는 10^4~10^8이며 레코드 "
        "배치 단위로 Parquet에 스트리밍합니다. 행 수를 정확히 맞추느라 마지막 세션, 사람 또는 "
        "스레드는 중간에 끊길 수 있습니다.",
        "Anyone can make the same file again with datanuri synth samples --kind {kind} --rows N "
        "--seed S (same seed and row count, same content). Sizes from 10^4 to 10^8 rows, "
        "streamed to Parquet in record batches; to give the exact row count the last session, "
        "person or thread may be cut short.",
    ),
    "maintenance": Text(
        "모형은 datanuri/synth/samples/ 에 있습니다. 모형이 바뀌면 이 설명서도 함께 바뀝니다.",
        "The model lives in datanuri/synth/samples/; this datasheet changes with it.",
    ),
}


def sections(kind: SampleKind) -> list[tuple[Text, Text]]:
    """(heading, text) of every section, in the paper's order."""
    own = dict(kind.sheet)
    out = []
    for key, heading in HEADINGS.items():
        if key == "properties":
            text = Text(
                "\n".join(f"- {p.ko}" for p in kind.properties),
                "\n".join(f"- {p.en}" for p in kind.properties),
            )
        elif key == "composition":
            text = own[key]
            text = Text(
                "\n".join([text.ko, *(f"- {c}: {d.ko}" for c, d in kind.columns)]),
                "\n".join([text.en, *(f"- {c}: {d.en}" for c, d in kind.columns)]),
            )
        else:
            text = own.get(key) or Text(
                COMMON[key].ko.format(kind=kind.kind), COMMON[key].en.format(kind=kind.kind)
            )
        out.append((heading, text))
    return out


def datasheet(kind: SampleKind, *, rows: int, seed: int) -> str:
    """The datasheet of `kind` generated with `rows` and `seed`: Korean, then English."""
    ko = [
        f"{kind.title.ko} — 데이터셋 설명서 (Datasheet)",
        f"합성 데이터입니다. 행 {rows:,}개, 시드 {seed}.",
    ]
    en = [f"{kind.title.en} — Datasheet", f"Synthetic data. {rows:,} rows, seed {seed}."]
    for heading, text in sections(kind):
        ko += ["", f"## {heading.ko}", text.ko]
        en += ["", f"## {heading.en}", text.en]
    return "\n".join([*ko, "", "----", "", *en]) + "\n"
