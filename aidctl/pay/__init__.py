"""Paying: findings → the payment plan → one ledger batch → bank files proven against the ledger →
the bank's result file settled against the batch it answers.

plan           one payment per eligible student and programme, routed to a bank profile
batch          record a plan as one batch, put its files in place, mark it sent; complete a batch
               an interrupted run left recorded
disbursement   the disburse run from start to end, and its outcome
bankfiles      the payment files (报盘) a bank profile describes
results        the bank's result files (回盘) read
declared       the count and amounts a result file declares above its table, checked against its lines
reconciliation the results applied to the ledger
workbook       the payment audit workbook (发放审核)
lock, overview one paying run per workspace; the ledger's batches by status
"""

from aidctl.core.exports import lazy

EXPORTS = {"Plan": "plan", "make_plan": "plan", "plan_validation": "plan", "execute": "batch", "put_in_place": "batch",
           "mark_sent": "batch", "batch_records": "batch", "render_batch": "batch",
           "write_manifest": "batch", "MANIFEST": "batch", "recover": "batch",
           "complete_batch": "batch", "disburse": "disbursement", "disbursing": "disbursement",
           "Outcome": "disbursement", "foreseen_notes": "disbursement", "BankFile": "bankfiles", "render_bank_files": "bankfiles:render",
           "write_bank_files": "bankfiles:write_files", "unwritable": "bankfiles", "now_context": "bankfiles",
           "byte_width": "bankfiles", "read_result": "results", "reconcile": "reconciliation",
           "write_payment_report": "workbook", "workspace_lock": "lock", "ledger_overview": "overview"}
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy(__name__, EXPORTS)
