"""Names vulture reports as unused that are used from outside Python (read by scripts/deadcode.py).

Each group says who uses the names. Before adding a name, grep for it in templates, settings, TOML/JSON
data, urls and ``getattr`` calls; if nothing uses it, delete the code instead.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Named as dotted strings in settings.py or apps.py (AXES_CLIENT_IP_CALLABLE, TEMPLATES context processors,
# the admin's default_site)
_.client_ip
_.monitoring_status
_.XinzhiAdminSite

# Called by the framework by name: django-ninja's Parser and Renderer hooks, pydantic's model config,
# dramatiq middleware hooks, Django signal receivers' keyword arguments
_.parse_body
_.response_status
_.model_config
_.before_process_message
_.after_skip_message
_.before_worker_thread_shutdown
_.thread
_.sender

# A model read and written only by the database triggers TrackDataVersion creates (core/versioning.py),
# and the migration operation itself (used from migrations/, which vulture skips)
_.DataVersion
_.TrackDataVersion

# lru_cache key arguments: a file's modification time, passed so an edited file is read again
_.mtime

# Chosen by name with getattr (monitoring/management/commands/monitor.py: f"_write_{format}")
_._write_json
_._write_csv
_._write_table

# Read by templates ({{ obj.name }}), which vulture cannot see
_.signal_labels  # cultivation/draw.html
_.weight_labels  # cultivation/draw.html
_.target_level_label  # evaluation/round_detail.html, apply.html
_.applied_level_label  # evaluation/submission_detail.html
_.duration_s  # jobs/detail.html, jobs admin
_.from_level_label  # platforms/_subject.html
_.to_level_label  # platforms/_subject.html
_.revenue_wan  # platforms/platform_detail.html
_.action_label  # programs/problem_detail.html
_.city_code  # regions: templates and filters

# Fields of dataclasses filled from TOML data files (evaluation/schemes/*.toml, monitoring/data/*.toml,
# unicorns tiers, policy programmes) and read in templates
_.guidance
_.frequency
_.effective_from
_.certificate
_.reviewer_parts

# Django form: a form field and the initial value it shows (investment/forms.py)
_.planned_total_wan
_.initial

# policy/package.py: the annual package's fields, read through dataclasses.fields() for the JSON form,
# the field guide and the flat frame
_.advanced_service_revenue
_.advanced_service_scope
_.amortisation
_.capitalised
_.capitalised_amortisation
_.claims_hte_rate
_.claims_rd_super_deduction
_.claims_vat_additional_deduction
_.collection_method
_.compliance
_.conversion
_.creditable_input_vat
_.depreciation_tax
_.design_and_trials
_.direct_input
_.entrusted_abroad
_.entrusted_domestic
_.equipment_debugging
_.export_input_vat
_.export_sales
_.growth_net_assets
_.growth_sales
_.has_conversion_rules
_.has_industry_university_cooperation
_.has_open_platform
_.has_rd_institution
_.has_rd_ledger
_.has_rd_rules
_.has_talent_system
_.hte_certificate_issue_date
_.hte_field
_.ic_enterprise
_.in_china
_.industrial_mother_machine_enterprise
_.industry_ancestors
_.input_vat_transferred_out
_.ip_acquisition
_.ip_advancement
_.ip_core_support
_.ip_quantity
_.ip_standards_bonus
_.led_standard_years
_.national_award_years
_.offshore_outsourcing_revenue
_.other_vat_deduction_chosen
_.participated_standard
_.provincial_rd_institution
_.qualified_years
_.rd_conversion_rules
_.rd_institution
_.rd_management
_.rd_org_rules
_.rd_talent
_.registered_in_mainland
_.restricted_category
_.taxable_income_before_losses
_.total_costs_expenses
_.unsplittable_input_vat
_.vat_credit_brought_forward
_.vat_general_taxpayer
_.vat_payable_before_deduction

# reports/: properties of python-docx, reportlab and zipfile objects, set to shape the output
_._blob
_.alignment
_.author
_.autofit
_.base_style
_.bottom_margin
_.comments
_.compress_type
_.external_attr
_.first_line_indent
_.footer_distance
_.header_distance
_.keepTogetherClass
_.keepWithNext
_.keep_with_next
_.language
_.last_modified_by
_.last_printed
_.left_margin
_.line_spacing
_.line_spacing_rule
_.modified
_.orientation
_.page_break_before
_.page_height
_.page_width
_.rgb
_.right_margin
_.space_after
_.space_before
_.top_margin
_.vertical_alignment

# Test support imported by tests only (tests are outside vulture's paths)
_.read_list_export
_.writes_during
_.declared_order
_.unregister_provider  # evaluation: tests register a provider for a made-up kind and take it away again
_.registered_kinds

# Used by migrations (outside vulture's paths) and templates
_.PartitionByYear  # enterprises 0004, investment 0003, monitoring 0007
_.from_state_label  # programs/need_detail.html
_.actor_unit  # programs/need_detail.html (the step log)
_.to_state_label
_.small_demo
_.QueryCountBaseline
_.response_cache_tables

# Used only by tests today: scalar references the tests check columnar code against, or helpers documented
# in docs/*.md. Candidates for removal (remove with their tests) — listed here so the list does not grow.
_.month_range
_.to_yuan
_.from_yuan
_.division_part
_.redraw
_.scheme_for
_.investment_indicators
_.loaded_indicators
_.record_selection
_.monthly_increments
_.valid_on
_.wan_up
_.province_code
_.year_partitions
_.recommended_count
_.source_label  # programs/scenario_detail.html
post_worker_init  # gunicorn hook (xinzhi/gunicorn_conf.py)
