from django.core.management.base import BaseCommand

from xinzhi.industries import services as industries
from xinzhi.regions.services import load_divisions


class Command(BaseCommand):
    help = "加载/重新加载参考数据：行政区划、国民经济行业分类、高新技术产业口径、415X集群"

    def handle(self, *args, **options):
        n_div = load_divisions()
        n_ind = industries.load_industry_codes()
        n_nat = industries.load_national_high_tech()
        n_prov = industries.load_provincial_high_tech()
        n_clu = industries.load_clusters()
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"行政区划 {n_div} 条；行业代码 {n_ind} 条；高技术产业(国家) {n_nat} 个小类；"
            f"高新技术产业(替代口径) {n_prov} 个小类；415X集群 {n_clu} 个"
        )
