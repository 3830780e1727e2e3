"""Which equivalence classes pass the privacy model, from class sizes and sensitive counts.

The search receives the model as the public parameters of :func:`anonymize`; this bundles them
with the sensitive column's reference data (overall distribution, value order, hierarchy) once,
so a node evaluation only passes its class table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.hierarchies import TableHierarchy
from datanuri.privacy.models import (
    EMD,
    Classes,
    Model,
    class_emd_equal,
    class_emd_hierarchical,
    class_emd_ordered,
    class_passes,
    hierarchy_nodes,
    passes_dense,
    value_order,
)

Bools = npt.NDArray[np.bool_]
DENSE_MATRIX_LIMIT = 8_000_000  # classes × sensitive values of a dense count matrix, at most


@dataclass(frozen=True)
class ClassTest:
    """The privacy model with its parameters and sensitive reference data."""

    model: Model
    k: int
    diversity: int | None = None  # l of l-diversity
    c: float | None = None
    t: float | None = None
    m: int = 0  # number of sensitive values (0: k-anonymity only)
    overall: npt.NDArray[np.int64] | None = None  # records per sensitive value
    distance: EMD | None = None
    order: npt.NDArray[np.integer] | None = None  # rank per sensitive value (ordered EMD)
    tree: list[npt.NDArray[np.integer]] | None = None  # hierarchy node ids (hierarchical EMD)

    @property
    def sensitive(self) -> bool:
        """Whether classes need their sensitive-value counts."""
        return self.m > 0

    def passes_sizes(self, sizes: npt.NDArray[np.floating]) -> Bools:
        """Pass flags of classes of a k-anonymity-only model."""
        return np.asarray(sizes >= self.k)

    def passes_matrix(
        self, matrix: npt.NDArray[np.floating], sizes: npt.NDArray[np.floating]
    ) -> Bools:
        """Pass flags from a dense (classes × sensitive values) count matrix."""
        return np.asarray(
            passes_dense(
                matrix,
                sizes,
                self.model,
                k=self.k,
                l=self.diversity,
                cl_c=self.c,
                t=self.t,
                overall=self.overall,
                distance=self.distance,
                order=self.order,
                leaf_nodes=self.tree,
            )
        )

    def passes_pairs(
        self,
        sizes: npt.NDArray[np.floating],
        pair_class: npt.NDArray[np.integer],
        pair_value: npt.NDArray[np.integer],
        pair_count: npt.NDArray[np.integer],
    ) -> Bools:
        """Pass flags from sparse (class, sensitive value) counts."""
        c = Classes(
            np.zeros(0, np.int64),
            sizes.astype(np.int64),
            pair_class,
            pair_value,
            pair_count,
            None,
            self.overall,
        )
        emd = None
        if self.model == "t-closeness":
            if self.distance == "ordered":
                assert self.order is not None
                emd = class_emd_ordered(c, self.order)
            elif self.distance == "hierarchical":
                assert self.tree is not None
                emd = class_emd_hierarchical(c, self.tree)
            else:
                emd = class_emd_equal(c)
        return np.asarray(
            class_passes(c, self.model, k=self.k, l=self.diversity, cl_c=self.c, t=self.t, emd=emd)
        )


def build_test(
    model: Model,
    *,
    k: int,
    diversity: int | None,
    c: float | None,
    t: float | None,
    values: pa.Array | None,
    value_type: pa.DataType | None,
    overall: npt.NDArray[np.int64] | None,
    distance: EMD | None,
    order: Sequence[Any] | None,
    sensitive_hierarchy: TableHierarchy | None,
) -> ClassTest:
    """The class test of ``model``; ``values`` are the sensitive dictionary (None: k-anonymity).
    The EMD distance defaults to hierarchical with a hierarchy, ordered for numbers or a given
    order, equal otherwise."""
    if values is None or overall is None:
        return ClassTest(model, k, diversity, c, t)
    m = len(overall)
    if model != "t-closeness":
        return ClassTest(model, k, diversity, c, t, m, overall, distance)
    if distance is None:
        numeric = value_type is not None and (
            pa.types.is_integer(value_type)
            or pa.types.is_floating(value_type)
            or pa.types.is_decimal(value_type)
        )
        distance = (
            "hierarchical"
            if sensitive_hierarchy is not None
            else ("ordered" if numeric or order is not None else "equal")
        )
    ranks, tree = None, None
    if distance == "ordered":
        ranks = value_order(values, order)
    elif distance == "hierarchical":
        if sensitive_hierarchy is None:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what="t-closeness setting",
                    value="hierarchical without a hierarchy",
                    choices="pass sensitive_hierarchy=...",
                )
            )
        tree = hierarchy_nodes(values, sensitive_hierarchy)
    elif distance != "equal":
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="EMD distance", value=distance, choices="equal, ordered, hierarchical"
            )
        )
    return ClassTest(model, k, diversity, c, t, m, overall, distance, ranks, tree)
