"""ForgotPassword, ConfirmForgotPassword, ChangePassword."""

import re

from conftest import PASSWORD, raises

NEW = "N3w-password"


def test_forgot_password_round_trip(emulator, idp, pool):
    user = emulator.confirmed_user(pool, email="kim@example.org")
    response = idp.forgot_password(ClientId=pool["clientId"], Username=user)
    assert response["CodeDeliveryDetails"] == {"Destination": "k***@e***.org", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    message = emulator.messages(pool, user)[-1]
    assert message["kind"] == "FORGOT_PASSWORD" and re.fullmatch(r"\d{6}", message["code"])
    code = message["code"]
    confirm = dict(ClientId=pool["clientId"], Username=user)
    with raises("CodeMismatchException"):
        idp.confirm_forgot_password(**confirm, ConfirmationCode=f"{(int(code) + 1) % 10**6:06d}", Password=NEW)
    with raises("InvalidPasswordException"):
        idp.confirm_forgot_password(**confirm, ConfirmationCode=code, Password="short")
    idp.confirm_forgot_password(**confirm, ConfirmationCode=code, Password=NEW)
    with raises("CodeMismatchException"):  # single use
        idp.confirm_forgot_password(**confirm, ConfirmationCode=code, Password="An0ther-password")
    with raises("NotAuthorizedException"):
        emulator.login(pool, user)
    assert emulator.login(pool, user, NEW)["AuthenticationResult"]


def test_forgot_password_expired_code(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    idp.forgot_password(ClientId=pool["clientId"], Username=user)
    code = emulator.last_code(pool, user, "FORGOT_PASSWORD")
    emulator.expire_codes(pool, user)
    with raises("ExpiredCodeException"):
        idp.confirm_forgot_password(ClientId=pool["clientId"], Username=user, ConfirmationCode=code, Password=NEW)


def test_reset_required_user_can_recover(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    idp.admin_reset_user_password(UserPoolId=pool["userPoolId"], Username=user)
    idp.forgot_password(ClientId=pool["clientId"], Username=user)
    code = emulator.last_code(pool, user, "FORGOT_PASSWORD")
    idp.confirm_forgot_password(ClientId=pool["clientId"], Username=user, ConfirmationCode=code, Password=NEW)
    assert idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)["UserStatus"] == "CONFIRMED"
    assert emulator.login(pool, user, NEW)["AuthenticationResult"]


def test_unknown_user_gets_a_simulated_answer(emulator, idp, pool):
    details = idp.forgot_password(ClientId=pool["clientId"], Username="ghost")["CodeDeliveryDetails"]
    assert set(details) == {"Destination", "DeliveryMedium", "AttributeName"}
    assert emulator.messages(pool) == []
    with raises("CodeMismatchException"):
        idp.confirm_forgot_password(ClientId=pool["clientId"], Username="ghost", ConfirmationCode="123456", Password=NEW)


def test_unverified_user_cannot_recover(emulator, idp, pool):
    user = emulator.sign_up(pool)
    with raises("InvalidParameterException", "no registered/verified email or phone_number"):
        idp.forgot_password(ClientId=pool["clientId"], Username=user)


def test_change_password(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    with raises("NotAuthorizedException", "Incorrect username or password."):
        idp.change_password(AccessToken=token, PreviousPassword="Wr0ng-password", ProposedPassword=NEW)
    with raises("InvalidPasswordException"):
        idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="nouppercase1!")
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword=NEW)
    assert emulator.login(pool, user, NEW)["AuthenticationResult"]
