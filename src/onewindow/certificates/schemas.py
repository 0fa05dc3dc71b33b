"""The shapes of the certificates API: what a verifier asks with and is told about one
certificate."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field


class VerifyQuery(Schema):
    c: str = Field(description="查验码：证照上印在证照标识旁的 8 位字母或数字（二维码中已带）")


class CertificateTypeOut(Schema):
    code: str = Field(description="证照类型代码")
    name: str = Field(description="证照名称")


class IssuerOut(Schema):
    code: str = Field(description="发证部门统一社会信用代码")
    name: str = Field(description="发证部门")


class FactOut(Schema):
    key: str
    label: str = Field(description="字段名称")
    value: str = Field(description="字段内容（个人证件号码等已脱敏）")


class VerificationOut(Schema):
    """One certificate as the public check sees it."""

    identifier: str = Field(description="证照标识")
    status: Literal["valid", "revoked", "expired"] = Field(
        description="valid 有效；revoked 已注销；expired 已过期"
    )
    status_label: str = Field(description="状态（中文）")
    signature_valid: bool = Field(description="签名是否与证照内容相符")
    trustworthy: bool = Field(description="状态有效且签名有效：可以采信")
    type: CertificateTypeOut
    issuer: IssuerOut
    holder_name: str = Field(description="持证主体名称（个人、外籍人员的姓名部分隐去）")
    holder_identifier: str = Field(description="持证主体证件号码（个人已脱敏）")
    issued_on: dt.date = Field(description="发证日期")
    valid_until: dt.date | None = Field(description="有效期至；null 为长期有效")
    revoked_on: dt.date | None = Field(description="注销日期；未注销为 null")
    facts: list[FactOut] = Field(description="证照记载的信息")
    key_id: str = Field(description="签名密钥标识（见 /.well-known/onewindow-keys.json）")
