"""Drives Custody's DefectDojo-compatible API with DefectDojo's own generated client
(defectdojo-api-generated, PyPI): makes a product type, product and engagement, imports a
SARIF report into the engagement, then reimports a second report into the test the import
made. Prints one JSON object with what the client parsed from each answer.

usage: defectdojo_client.py BASE_URL TOKEN FIRST_REPORT SECOND_REPORT
"""

import datetime
import json
import sys

from defectdojo_api_generated import DefectDojo
from defectdojo_api_generated.models import EngagementRequest, ProductRequest, ProductTypeRequest


def main():
    base_url, token, first, second = sys.argv[1:5]
    dojo = DefectDojo(base_url=base_url, token=token)
    product_type = dojo.product_types_api.create(ProductTypeRequest(name="Revenue Agency", description="an agency"))
    product = dojo.products_api.create(
        ProductRequest(name="billing", description="the billing service", prod_type=product_type.id))
    engagement = dojo.engagements_api.create(
        EngagementRequest(
            name="nightly", product=product.id, target_start=datetime.date.today(),
            target_end=datetime.date(2999, 12, 31), engagement_type="CI/CD", status="In Progress"))
    with open(first, "rb") as report:
        imported = dojo.import_scan_api.create(
            scan_type="SARIF", file=(first, report.read()), engagement=engagement.id, branch_tag="main",
            commit_hash="0" * 40, close_old_findings=True, minimum_severity="Medium", active=True, verified=True)
    with open(second, "rb") as report:
        reimported = dojo.reimport_scan_api.create(
            scan_type="SARIF", file=(second, report.read()), test=imported.test_id, branch_tag="main",
            commit_hash="1" * 40, minimum_severity="Medium")
    test_types = dojo.test_types_api.list(name="SARIF")
    listed = dojo.products_api.list(name="billing")

    def delta(answer):
        statistics = answer.statistics.delta
        return {name: getattr(statistics, name).total.total for name in ("created", "closed", "reactivated", "untouched")}

    print(json.dumps({
        "product_type": product_type.id, "product": product.id, "engagement": engagement.id,
        "import": {"test": imported.test_id, "engagement": imported.engagement_id, "product": imported.product_id,
                   "delta": delta(imported)},
        "reimport": {"test": reimported.test_id, "delta": delta(reimported)},
        "test_types": [t.name for t in test_types.results], "products": [p.name for p in listed.results],
    }))


if __name__ == "__main__":
    main()
