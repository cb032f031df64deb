"""Email over SMTP: Vietnamese messages built with the standard library, sent with smtplib."""
from __future__ import annotations

import email.policy
import logging
import re
import smtplib
from pathlib import Path
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

log = logging.getLogger(__name__)


def build_email(
    *, sender: str, to: str, subject: str, text: str, html: str, message_id: str, date: datetime
) -> EmailMessage:
    """A multipart/alternative message (plain text and HTML, UTF-8).

    The SMTP policy writes CRLF line ends and encodes the Vietnamese subject and sender name as
    RFC 2047 encoded words, so any server accepts it (no SMTPUTF8 needed).
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = "vi"
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


class SmtpMailer:
    """One SMTP connection, opened on the first message and reused for the batch."""

    def __init__(self, host: str, port: int, *, use_tls: bool = False, use_ssl: bool = False,
                 username: str | None = None, password: str | None = None, timeout: float = 30.0):
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config) -> SmtpMailer:
        return cls(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]),
            use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
        )

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the connection is still good for the next message
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SuppressedMailer:
    """MAIL_SUPPRESS_SEND: nothing leaves the machine; messages are kept here and logged."""

    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        log.info("Thư không gửi (MAIL_SUPPRESS_SEND): %s -> %s", message["Subject"], message["To"])

    def close(self) -> None:
        pass

    def __enter__(self) -> SuppressedMailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FileMailer:
    """MAIL_FILE_DIR: each message is written as an .eml file (development without a mail server)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        name = re.sub(r"[^A-Za-z0-9.@_-]", "_", str(message["Message-ID"] or "thu").strip("<>"))
        (self.directory / f"{name}.eml").write_bytes(message.as_bytes())
        log.info("Đã ghi thư vào %s: %s -> %s", self.directory, message["Subject"], message["To"])

    def close(self) -> None:
        pass

    def __enter__(self) -> FileMailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def mailer_from_config(config):
    if config.get("MAIL_SUPPRESS_SEND"):
        return SuppressedMailer()
    if config.get("MAIL_FILE_DIR"):
        return FileMailer(config["MAIL_FILE_DIR"])
    return SmtpMailer.from_config(config)


def is_permanent(error: BaseException) -> bool:
    """Refused for good (unknown recipient, message rejected): retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(error, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused)):
        return 500 <= getattr(error, "smtp_code", 0) < 600
    return False


def breaks_the_batch(error: BaseException) -> bool:
    """The server or the connection is the problem: the next messages would fail the same way."""
    return not is_permanent(error)
