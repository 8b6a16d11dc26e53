"""The sections of the committee report and the district report, built from one unit's measures.

Each section function takes a `Context` and returns a list of blocks (`Text`, `Table`, `Figure`) in
the order they appear; tables and figures take their numbers from the context's `Numbering` as they
are made, so numbering follows the order of appearance with no gaps. Every table passes disclosure
control (suppress, then assert_safe) before it is built; suppressed cells show the symbol ("c").
Percentages are shown as whole numbers rounded half up; differences are computed before rounding.
Nothing here writes files: `keystage.present.show` displays the blocks and writes the downloads.

Modules: blocks (Text, Table, Figure, Context and helpers), performance (section 2),
improvement (section 3), closing (sections 4 to 8, appendices, report metadata), summary (the summary
at the top: key messages and recommendations).
"""

from keystage.present.sections.blocks import (  # noqa: F401 (the package's API)
    ERA_TERMS,
    MISSING,
    NOT_AVAILABLE,
    SUBJECT_NAMES,
    Block,
    Context,
    Figure,
    Table,
    Text,
    band_ranges,
    by_year,
    definition,
    headline_label,
    measure_rows,
    numbered,
    previous_year,
    progress_measures,
    protect,
    shown,
    signed,
    sized_rule,
    span,
    subjects_of,
    value_of,
)
from keystage.present.sections.closing import (  # noqa: F401 (the package's API)
    case_studies,
    conclusions,
    corporate,
    data_notes,
    implications,
    provenance,
    report_meta,
    titles,
)
from keystage.present.sections.district import district_schools  # noqa: F401 (the package's API)
from keystage.present.sections.improvement import (  # noqa: F401 (the package's API)
    ERA_VERB,
    SUBJECTS,
    academic,
    describe_support,
    improvement_heading,
    subject,
    support,
    support_figure,
    support_year,
)
from keystage.present.sections.performance import (  # noqa: F401 (the package's API)
    attainment,
    closing_gap,
    floor,
    other_measures,
    purpose,
    trend_figure,
    what_is_measured,
)
from keystage.present.sections.summary import facts, recommendations, summary  # noqa: F401 (the package's API)
