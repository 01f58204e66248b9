"""The test CAS server's people. 工号 travels as the CAS attribute ``employeeNumber``, the name as ``displayName``."""

from types import SimpleNamespace

PASSWORD = "cas-pass-2026"
MATCHED = SimpleNamespace(username="zhangsan", employee_id="20230001", display_name="张三")  # has a portal account
UNMATCHED = SimpleNamespace(username="lisi", employee_id="20239999", display_name="李四")  # has none
EVERYONE = [MATCHED, UNMATCHED]

EMPLOYEE_ID_ATTRIBUTE = "employeeNumber"
DISPLAY_NAME_ATTRIBUTE = "displayName"
# the portal's CAS login URL on any local host/port (test client: testserver; live server: localhost:N)
PORTAL_SERVICE_PATTERN = r"^https?://(testserver|localhost|127\.0\.0\.1)(:\d+)?/accounts/cas/login/"
OTHER_SERVICE_PATTERN = r"^https?://(testserver|localhost|127\.0\.0\.1)(:\d+)?/other-app/"
