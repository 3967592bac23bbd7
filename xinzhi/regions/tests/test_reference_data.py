"""Reference data comes from the data files, is complete, and reloads idempotently."""

import pytest
from django.core.management import call_command

from xinzhi.industries import services as industries
from xinzhi.industries.models import Cluster, ClusterIndustry, HighTechIndustry, IndustryCode
from xinzhi.regions.models import Division
from xinzhi.regions.services import city_of

pytestmark = pytest.mark.django_db


def test_zhejiang_has_11_cities_and_90_counties_with_official_codes():
    assert Division.objects.get(code="330000").name == "浙江省"
    cities = Division.objects.filter(level="city")
    assert cities.count() == 11
    assert Division.objects.filter(level="county").count() == 90
    assert Division.objects.get(code="330383").name == "龙港市"
    assert Division.objects.get(code="330383").parent_id == "330300"  # administered by Wenzhou


def test_city_and_province_derive_from_the_county_code():
    for county in Division.objects.filter(level="county"):
        assert city_of(county.code) == county.parent_id
        assert county.parent.parent_id == "330000"
    xihu = Division.objects.get(code="330106")
    assert (xihu.prefix, xihu.city_code, xihu.province_code) == ("330106", "330100", "330000")


def test_industry_classification_has_all_four_levels():
    counts = {lvl: IndustryCode.objects.filter(level=lvl).count() for lvl in ("section", "division", "group", "class")}
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1381}
    assert IndustryCode.objects.get(code="3973").name == "集成电路制造"
    assert IndustryCode.objects.get(code="3973").parent.parent.parent_id == "C"


def test_national_high_tech_list_has_85_classes_in_6_categories():
    national = HighTechIndustry.objects.filter(category__scheme_id=industries.NATIONAL_SCHEME)
    assert national.count() == 85
    assert national.values("category").distinct().count() == 6
    assert national.filter(industry_id="2710", category__name="医药制造业").exists()


def test_provincial_standin_uses_longest_matching_code():
    frame = industries.high_tech_class_frame()  # the default scheme = provincial stand-in
    category = dict(zip(frame["industry_code"], frame["category_code"], strict=True))
    assert category["3581"] == "04"  # 358 (生物) wins over 35 (高端装备)
    assert category["3511"] == "02"
    assert category["3953"] == "08"  # 3953 (数字创意) wins over 39
    assert category["3911"] == "01"
    assert "1311" not in category  # agriculture food processing is not high-tech
    # every national high-tech manufacturing class outside the "information chemicals" edge is also provincial
    national = set(
        HighTechIndustry.objects.filter(category__scheme_id=industries.NATIONAL_SCHEME).values_list("industry_id", flat=True)
    )
    assert len(national & set(category)) >= 70


def test_clusters_loaded_with_configurable_mapping():
    assert Cluster.objects.filter(kind="group").count() == 4
    assert Cluster.objects.get(code="integrated_circuits").parent_id == "new_gen_it"
    frame = industries.cluster_class_frame()
    ic = set(frame.filter(frame["cluster_code"] == "integrated_circuits")["industry_code"])
    assert ic == {"3972", "3973"}


def test_reload_is_idempotent_and_applies_edits(tmp_path, settings):
    before = HighTechIndustry.objects.count(), ClusterIndustry.objects.count()
    call_command("load_reference", verbosity=0)
    assert (HighTechIndustry.objects.count(), ClusterIndustry.objects.count()) == before

    edited = tmp_path / "standin.csv"
    edited.write_text("category_code,category_name,industry_code,note\n01,新一代信息技术产业,3973,only IC\n", encoding="utf-8")
    industries.load_provincial_high_tech(edited)
    assert list(industries.high_tech_class_frame()["industry_code"]) == ["3973"]
