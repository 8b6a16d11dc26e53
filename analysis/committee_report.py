# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
work_dir = "out/demo"
reports_dir = "config/reports"
standards_path = "config/standards.yaml"
la_code = 701
kind = "la"
unit_id = "701"
first_year = None
last_year = None
downloads_dir = "out/demo/downloads/la-701"

# %%
from keystage.present import sections  # noqa: E402 (after the parameters cell)
from keystage.present.show import open_report  # noqa: E402

report = open_report(work_dir, reports_dir, standards_path, la_code, kind, unit_id, first_year, last_year, downloads_dir)
ctx = report.ctx

# %% [markdown]
# ## Summary

# %%
report.show(sections.summary(ctx))

# %% [markdown]
# ## 1 Purpose of Report

# %%
report.show(sections.purpose(ctx))

# %% [markdown]
# ## 2 Performance and context

# %%
report.show(sections.what_is_measured(ctx))
report.show(sections.attainment(ctx))
report.show(sections.district_schools(ctx))

# %%
report.show(sections.floor(ctx))

# %%
report.show(sections.other_measures(ctx))

# %%
report.show(sections.closing_gap(ctx))

# %%
report.show(sections.improvement_heading(ctx))
report.show(sections.support(ctx))

# %%
report.show(sections.subject(ctx, "maths"))
report.show(sections.subject(ctx, "english"))

# %% [markdown]
# ## 4 Conclusions

# %%
report.show(sections.conclusions(ctx))
report.show(sections.implications(ctx))
report.show(sections.corporate(ctx))

# %%
report.show(sections.case_studies(ctx))
report.show(sections.data_notes(ctx))
report.show(sections.provenance(ctx, report.config_files))

# %%
report.publish()
