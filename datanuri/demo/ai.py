"""The demo's flagship AI accountability case: a welfare-risk model (scikit-learn logistic
regression) trained on synthetic household data, registered with its model card, audited (the
feature "career_break_months" is a proxy for sex: the dataset audit flags it and the model audit
fails the 0.8 rule), deciding about demo people, one of whom contests and wins a human review;
a drift monitor watches its decisions.

Every step goes through the services with the acting demo user, as a person would do it. The
data are made up here (a seeded generator), never rows of real people."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

from datanuri.accounts.principal import SYSTEM
from datanuri.audit.drift import DriftOptions
from datanuri.audit.registry import Registration
from datanuri.audit.service import DatasetSpec, ModelSpec, UploadedTable, VersionRef
from datanuri.audit.thresholds import parse
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import ModelCard
from datanuri.errors import Conflict, NotFound
from datanuri.platform import Platform

Report = Callable[[str], None]
ORG, ORG_TITLE = "nuri-welfare", "누리시 복지정책과"
OMBUDS, OMBUDS_TITLE = "ai-ombuds", "AI 결정 검토위원회"
OWNER = "publisher@datanuri.local"  # made an editor of the welfare organisation
REVIEWER = ("reviewer@datanuri.local", "정검토 Reviewer")
SYSTEM_NAME = "welfare-risk"
DATASET = "welfare-risk-training"
FEATURES = ("income", "household_size", "disability", "career_break_months")
BIASED = "career_break_months"  # mostly women's: a proxy for sex the audits catch
# The demo people the model decides about: (e-mail of an existing demo user, row seed).
SUBJECTS = ("citizen1@datanuri.local", "citizen2@datanuri.local", "citizen3@datanuri.local")
CONTESTANT = "citizen1@datanuri.local"
REASONS = {
    "W01": ("월 소득이 기준보다 높습니다.", "Monthly income is above the baseline.", "income"),
    "W02": ("가구원 수가 적습니다.", "The household is small.", "household_size"),
    "W03": ("장애 등록이 없습니다.", "No registered disability.", "disability"),
    "W04": ("경력 단절 기간이 짧습니다.", "A short career break.", BIASED),
}


def synthetic_households(n: int, seed: int) -> dict[str, np.ndarray]:
    """Households with monthly income (million KRW), size, disability, sex of the head and
    career-break months (mostly women's); `needs_support` from need, plus the career break."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["F", "M"]), n)
    income = np.round(rng.gamma(2.2, 1.2, n), 2)
    size = rng.integers(1, 6, n)
    disability = (rng.random(n) < 0.12).astype(int)
    career = np.where(sex == "F", rng.poisson(30, n), rng.poisson(3, n))
    z = -0.2 - 1.1 * (income - 2.6) + 0.45 * (size - 3) + 1.3 * disability - 0.03 * (career - 16)
    needs = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return {
        "sex": sex,
        "income": income,
        "household_size": size,
        "disability": disability,
        "career_break_months": career,
        "needs_support": needs,
    }


def _csv(cols: dict[str, np.ndarray]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    names = list(cols)
    w.writerow(names)
    w.writerows(zip(*(cols[c].tolist() for c in names), strict=True))
    return out.getvalue()


def seed_demo_ai(platform: Platform, src_dir: Path, report: Report = lambda _m: None) -> int:
    """Run the flagship scenario once (nothing if the system exists); the dataset versions it
    published (0 when it had run before)."""
    from sklearn.linear_model import LogisticRegression

    try:
        platform.decisions.system(SYSTEM_NAME)
        return 0
    except NotFound:
        pass
    acc = platform.accounts
    for name, title in ((ORG, ORG_TITLE), (OMBUDS, OMBUDS_TITLE)):
        try:
            acc.create_organization(name, title=title, principal=SYSTEM)
        except Conflict:
            pass
    try:
        acc.create_user(
            REVIEWER[0], display_name=REVIEWER[1], password=_password(), principal=SYSTEM
        )
    except Conflict:
        pass
    for org in (ORG, OMBUDS):  # the publisher edits every demo organisation
        acc.add_member(org, OWNER, role="editor", principal=SYSTEM)
    acc.add_member(OMBUDS, REVIEWER[0], role="reviewer", principal=SYSTEM)
    owner = acc.principal_for(OWNER)

    # training data, published as a dataset version (its ledger entry is the model's receipt)
    data = synthetic_households(2000, seed=2026)
    src_dir.mkdir(parents=True, exist_ok=True)
    path = src_dir / f"{DATASET}.csv"
    path.write_text(_csv(data), "utf-8")
    try:
        platform.catalog.create_dataset(
            DATASET,
            organization=ORG,
            title="복지 위기가구 예측 모델 학습 자료 (합성)",
            description="복지 위기가구 예측 모델의 학습 자료입니다. 모든 값은 합성 자료입니다.",
            principal=SYSTEM,
        )
    except Conflict:
        pass
    published = platform.catalog.publish(
        DATASET, path, change_note="합성 학습 자료", principal=SYSTEM
    ).created

    # the model: a logistic regression on the four features (one of them biased)
    x = np.column_stack([np.asarray(data[f], dtype=float) for f in FEATURES])
    y = data["needs_support"]
    model = LogisticRegression(max_iter=500).fit(x, y)
    coef = {f: float(c) for f, c in zip(FEATURES, model.coef_[0], strict=True)}
    baseline = {f: float(np.mean(x[:, i])) for i, f in enumerate(FEATURES)}
    score = model.decision_function(x)
    pred = (score > 0).astype(int)
    accuracy = float(np.mean(pred == y))
    platform.decisions.register_system(
        SYSTEM_NAME,
        organization=ORG,
        title="복지 위기가구 예측",
        purpose="Prioritising home visits by welfare officers to households at risk.",
        risk_level="high",
        card=ModelCard(
            intended_use="Ordering the visit list of welfare officers; a person decides.",
            limitations="Trained on synthetic data; career breaks stand in for sex (see audit).",
            metrics={"accuracy": round(accuracy, 4)},
            training_data=(f"{DATASET}@1",),
        ),
        reason_codes={k: {"ko": v[0], "en": v[1], "feature": v[2]} for k, v in REASONS.items()},
        principal=owner,
    )
    platform.models.register(
        Registration(
            system=SYSTEM_NAME,
            version="2026.1",
            kind="logistic",
            parameters={
                "coefficients": coef,
                "intercept": float(model.intercept_[0]),
                "baseline": baseline,
            },
            features=FEATURES,
            training_data=(f"{DATASET}@1",),
            metrics={"accuracy": accuracy},
            description="Logistic regression (scikit-learn) on synthetic households.",
        ),
        principal=owner,
    )
    report(f"{SYSTEM_NAME}: model 2026.1 registered (accuracy {accuracy:.3f})")

    # audits: the training data (proxy detection) and the model's predictions (0.8 rule)
    platform.audits.dataset(
        VersionRef(DATASET, 1), DatasetSpec(groups=("sex",), label="needs_support"), principal=owner
    )
    preds = {"sex": data["sex"], "y_true": y, "y_pred": pred, "score": np.round(score, 6)}
    audit = platform.audits.model(
        UploadedTable("welfare-risk-predictions.csv", _csv(preds).encode()),
        ModelSpec(
            y_true="y_true",
            y_pred="y_pred",
            score="score",
            groups=("sex",),
            thresholds=tuple(parse(["ratio=0.8"])),
            bootstrap=200,
            seed=1,
        ),
        principal=owner,
    )
    report(f"{SYSTEM_NAME}: model audit {audit.id} passed={audit.result.get('passed')}")

    # decisions about demo people; the first contests, and a reviewer outside the owner wins
    people = synthetic_households(len(SUBJECTS), seed=7)
    refs = []
    for i, email in enumerate(SUBJECTS):
        try:
            person = acc.principal_for(email)
        except NotFound:
            continue
        inputs = {f: float(people[f][i]) for f in FEATURES}
        if email == CONTESTANT:  # a woman with a long career break, a low income, two children
            inputs = {"income": 1.9, "household_size": 3.0, "disability": 0.0, BIASED: 48.0}
        z = float(model.intercept_[0]) + sum(coef[f] * inputs[f] for f in FEATURES)
        rec = platform.decisions.record(
            DecisionDraft(
                system=SYSTEM_NAME,
                model_version="2026.1",
                idempotency_key=f"demo-{i}",
                inputs=inputs,
                output="visit" if z > 0 else "no-visit",
                score=z,
                groups={"sex": str(people["sex"][i]) if email != CONTESTANT else "F"},
                subject_user_id=person.user_id,
            ),
            principal=owner,
        )
        refs.append((email, rec.reference, rec.decision.output))
    for email, ref, output in refs:
        if email != CONTESTANT:
            continue
        person = acc.principal_for(email)
        contest = platform.decisions.file_contest(
            ref,
            explanation=(
                "소득이 낮고 자녀 둘을 혼자 키우고 있습니다. 경력 단절은 육아 때문이며 "
                "지원 필요성을 낮출 이유가 아닙니다."
            ),
            principal=person,
        )
        if output == "no-visit":
            platform.decisions.decide(
                contest.id,
                outcome="overturn",
                reasons_text=(
                    "경력 단절 기간은 성별의 대리 변수로 감사에서 확인되었습니다. 소득과 "
                    "가구 구성만 보면 방문 대상입니다."
                ),
                corrected_output="visit",
                principal=acc.principal_for(REVIEWER[0]),
            )
            report(f"{SYSTEM_NAME}: {email} contested {ref} and won the review")
    monitor = platform.models.add_monitor(
        SYSTEM_NAME, "2026.1", options=DriftOptions(), min_rows=1, principal=owner
    )
    platform.models.run(monitor.id, principal=owner)
    return int(published)


def _password() -> str:
    from datanuri.demo.load import DEMO_PASSWORD

    return DEMO_PASSWORD
