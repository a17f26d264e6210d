"""`curbside users list|passwd|set-role|deactivate|activate` (registered by `app.cli`).

Every failure (unknown e-mail, unknown role, short password) is one `curbside: error:` line
and exit status 2; deactivation and a new password take effect at once on a running server
(sessions end, tokens are revoked: `app/accounts_lifecycle.py`).
"""

from __future__ import annotations

import argparse
import json
import secrets
from contextlib import contextmanager


def _cli_error(message: str) -> Exception:
    from app.cli import CliError

    return CliError(message)


@contextmanager
def _accounts():
    """A database session; account errors become CLI errors (one line, exit 2)."""
    from sqlmodel import Session

    from app.accounts import AccountError
    from app.cli import _curbside

    with Session(_curbside().engine, expire_on_commit=False) as session:
        try:
            yield session
        except AccountError as exc:
            raise _cli_error(str(exc)) from exc


def cmd_list(args: argparse.Namespace) -> int:
    from app.accounts_lifecycle import all_users

    with _accounts() as session:
        users = all_users(session)
    rows = [{"email": u.email, "role": str(u.role), "active": u.active,
             "name": f"{u.first_name} {u.last_name}".strip(),
             "created": f"{u.created_at:%Y-%m-%d}"} for u in users]
    if args.json:
        print(json.dumps({"users": rows}))
        return 0
    for row in rows:
        state = "active" if row["active"] else "deactivated"
        print(f"{row['email']}\t{row['role']}\t{state}\t{row['name']}\t{row['created']}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from app.accounts_lifecycle import find_user, set_password

    password = args.password or secrets.token_urlsafe(12)
    with _accounts() as session:
        user = find_user(session, args.email)
        set_password(session, user, password)
    print(f"new password set for {user.email}; their sessions ended and API tokens were revoked")
    if not args.password:
        print(f"password: {password}")
    return 0


def cmd_set_role(args: argparse.Namespace) -> int:
    from app.accounts_lifecycle import find_user, set_role

    with _accounts() as session:
        user = find_user(session, args.email)
        set_role(session, user, args.role)
    print(f"{user.email} is now {user.role}")
    return 0


def _set_active(active: bool):
    def handler(args: argparse.Namespace) -> int:
        from app.accounts_lifecycle import find_user, set_active

        with _accounts() as session:
            user = find_user(session, args.email)
            set_active(session, user, active)
        if active:
            print(f"reactivated {user.email} (they sign in again; old tokens stay revoked)")
        else:
            print(f"deactivated {user.email}: signed out everywhere, API tokens revoked; "
                  "their credit records are kept")
        return 0

    return handler


def register(users_sub) -> None:
    """Add the account actions to the `users` command group."""
    listing = users_sub.add_parser("list", help="list accounts: email, role, state, name")
    listing.add_argument("--json", action="store_true", help='{"users": [...]}')
    listing.set_defaults(handler=cmd_list)
    passwd = users_sub.add_parser(
        "passwd", help="set a new password (prints one if none given); ends their sessions")
    passwd.add_argument("email")
    passwd.add_argument("--password", help="at least 8 characters (default: generated)")
    passwd.set_defaults(handler=cmd_passwd)
    role = users_sub.add_parser("set-role", help="change a user's role")
    role.add_argument("email")
    role.add_argument("role", help="learner (clinician), planner, evaluator or admin")
    role.set_defaults(handler=cmd_set_role)
    for name, active, text in (("deactivate", False, "sign a user out everywhere and "
                                "refuse sign-in (records are kept)"),
                               ("activate", True, "allow a deactivated user to sign in again")):
        action = users_sub.add_parser(name, help=text)
        action.add_argument("email")
        action.set_defaults(handler=_set_active(active))
