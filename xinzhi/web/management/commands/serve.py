"""``xinzhi serve``: everything a first run needs, then the web server.

migrate → reference data → the demo dataset (first run only, when the register is empty) → demo
logins → serve. For production use a real WSGI server instead (see README: gunicorn).
"""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xinzhi.accounts.services import DEMO_PASSWORD, create_demo_users
from xinzhi.core.signals import server_starting
from xinzhi.enterprises.models import Enterprise


class Command(BaseCommand):
    help = "迁移数据库、加载参考数据与演示数据（仅首次）、打印演示账号并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="监听地址，默认 127.0.0.1:8000")
        parser.add_argument(
            "--demo-scale", default=os.environ.get("XINZHI_DEMO_SCALE", "full"), choices=["small", "full"],
            help="首次运行时生成的演示数据规模（默认 full，约5.8万家规上工业企业）",
        )
        parser.add_argument("--no-demo", action="store_true", help="不生成演示数据")
        parser.add_argument("--no-server", action="store_true", help="只做准备，不启动服务（用于检查）")

    def handle(self, *args, addr, demo_scale, no_demo, no_server, **options):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference", verbosity=options["verbosity"], stdout=self.stdout)
        if not no_demo and not Enterprise.objects.exists():
            self.stdout.write(f"首次运行：生成 {demo_scale} 规模演示数据……")
            call_command("demo", scale=demo_scale, stdout=self.stdout)
            from xinzhi.monitoring.services import prepare

            self.stdout.write("计算监测指标与红黄蓝评价（2024—2025年各月）……")
            prepare([2024, 2025])
        # catch-up work left by a crash, e.g. monitoring months an import marked stale (core.signals)
        server_starting.send(sender=self.__class__, stdout=self.stdout)
        logins = create_demo_users()
        self.stdout.write(self.style.SUCCESS(f"\n新质已就绪： http://{addr}/"))
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<10} {login.bound_to}")
        if no_server:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("runserver", addr, use_reloader=False)
