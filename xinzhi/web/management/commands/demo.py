"""``xinzhi demo [--scale small|full|8x] [--seed N] [--force]``: the deterministic Zhejiang demo dataset.

``8x``: the full register and filings 8 times over (national scale, ≈ 500,000 enterprises, ≈ 12 million
filings; for measurements — docs/operations.md); the other apps' demo data are written at full scale."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinzhi.accounts.services import DEMO_PASSWORD, create_demo_users
from xinzhi.demo.extensions import demo_extensions
from xinzhi.demo.loader import DemoDataExists, load_demo


class Command(BaseCommand):
    help = "生成并加载浙江演示数据（确定性：同一 seed 生成相同数据），并创建各角色演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "full", "8x"], default="small",
                            help="small ≈ 1,500 家规上企业（测试用）；full ≈ 58,000 家；8x 为 full 的 8 倍（全国规模测量用）")
        parser.add_argument("--seed", type=int, default=2025, help="随机种子（默认 2025）")
        parser.add_argument("--force", action="store_true", help="已有企业时先删除现有企业及其业务数据再生成")

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 0
        say = self.stdout.write if verbose else None
        extensions = demo_extensions()
        if options["force"]:
            for extension in reversed(extensions):
                extension.clear()
        try:
            result = load_demo(scale=options["scale"], seed=options["seed"], force=options["force"], log=say)
        except DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        logins = create_demo_users()
        for extension in extensions:
            for name, count in extension.load(scale="full" if options["scale"] == "8x" else options["scale"], seed=options["seed"], log=say).items():
                result.counts[name] = count
        if not verbose:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已加载（scale={options['scale']}, seed={options['seed']}）：生成 {result.generate_seconds:.1f}s，"
                f"写入 {result.load_seconds:.1f}s"
            )
        )
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<18} {count:>10,}")
        self.stdout.write("演示账号（用户名 / 角色 / 绑定 / 密码）：")
        for login in logins:
            self.stdout.write(f"  {login.username} / {login.role} / {login.bound_to} / {DEMO_PASSWORD}")
