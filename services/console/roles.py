"""The console's roles and which of them may do what. One role set per kind of work;
routes name the set, never a list of roles of their own."""

from __future__ import annotations

from enum import StrEnum

from contracts.codes import AlertQueue


class Role(StrEnum):
    CALL_HANDLER = "call_handler"
    RMU_OFFICER = "rmu_officer"
    TECHNOLOGY_ASSISTANT = "technology_assistant"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Role.CALL_HANDLER: "Call handler",
    Role.RMU_OFFICER: "RMU officer",
    Role.TECHNOLOGY_ASSISTANT: "Technology assistant",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Admin",
}

# Who works an alert queue (acknowledge, call back, resolve).
QUEUE_WORKERS = frozenset({Role.CALL_HANDLER, Role.TECHNOLOGY_ASSISTANT, Role.MANAGER, Role.ADMIN})
# Who may open a person's record (every view is audited).
RECORD_READERS = frozenset(Role)
# Who may change a person's details and contacts (managers read).
RECORD_EDITORS = frozenset(
    {Role.CALL_HANDLER, Role.RMU_OFFICER, Role.TECHNOLOGY_ASSISTANT, Role.ADMIN}
)
# Who sees the unmet-need list (managers read), and who changes an entry's status.
NEED_READERS = frozenset({Role.RMU_OFFICER, Role.MANAGER, Role.ADMIN})
NEED_WORKERS = frozenset({Role.RMU_OFFICER, Role.ADMIN})
# Who sees the falls flags and referrals (managers read), and who reviews and moves them.
FLAG_READERS = frozenset({Role.CALL_HANDLER, Role.RMU_OFFICER, Role.MANAGER, Role.ADMIN})
FLAG_WORKERS = frozenset({Role.CALL_HANDLER, Role.RMU_OFFICER, Role.ADMIN})
# Who may read the audit log and manage accounts.
ADMINS = frozenset({Role.ADMIN})

# The alert queues each role works: technology assistants get the device faults.
QUEUES_OF: dict[Role, tuple[AlertQueue, ...]] = {
    Role.CALL_HANDLER: (AlertQueue.CALL_HANDLER,),
    Role.TECHNOLOGY_ASSISTANT: (AlertQueue.TECHNOLOGY_ASSISTANT,),
    Role.MANAGER: tuple(AlertQueue),
    Role.ADMIN: tuple(AlertQueue),
    Role.RMU_OFFICER: (),
}

# Where a role lands after signing in.
HOME_OF = {
    Role.CALL_HANDLER: "/queue",
    Role.TECHNOLOGY_ASSISTANT: "/queue",
    Role.MANAGER: "/queue",
    Role.ADMIN: "/queue",
    Role.RMU_OFFICER: "/needs",
}
