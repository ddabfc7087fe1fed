"""The one custom node: a human task that lives in one team's queue."""

from viewflow import this
from viewflow.workflow import nodes

from .models import team_ids_for


class TeamTask(nodes.View):
    """A human task for members of one team who hold the task's permission.

    Viewflow's own rule is the permission alone (flow-wide); ours adds membership of the
    team the case belongs to (or, for a handover, the receiving team).
    """

    def __init__(self, **kwargs):
        super().__init__(view=None, **kwargs)
        self._team = None

    def Team(self, team_id):
        """Callable process -> id of the team whose members may do the task."""
        self._team = team_id
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._team = this.resolve(instance, self._team)

    def team_id(self, process):
        return self._team(process)

    def is_eligible(self, user, task, team_ids=None):
        """May `user` do this task at all (ignoring who holds it now)?"""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if not task.owner_permission or not user.has_perm(task.owner_permission):
            return False
        if team_ids is None:
            team_ids = team_ids_for(user)
        return self.team_id(task.process) in team_ids

    def can_assign(self, user, task):
        return task.owner_id is None and self.is_eligible(user, task)

    def can_execute(self, user, task):
        return user is not None and task.owner_id == user.pk and self.is_eligible(user, task)

    def can_unassign(self, user, task):
        if task.owner_id is None or user is None or not user.is_authenticated:
            return False
        if task.owner_id == user.pk:
            return True
        return user.has_perm("workflows.manage_queue") and self.team_id(task.process) in (
            team_ids_for(user)
        )
