"""SignUp, ConfirmSignUp, ResendConfirmationCode."""

import re

from conftest import PASSWORD, raises, secret_hash


def test_sign_up_sends_a_code_by_email(emulator, idp, pool):
    response = idp.sign_up(
        ClientId=pool["clientId"],
        Username="jane",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "jane@example.com"}, {"Name": "custom:team", "Value": "blue"}],
    )
    assert response["UserConfirmed"] is False and response["UserSub"]
    assert response["CodeDeliveryDetails"] == {
        "Destination": "j***@e***.com",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = emulator.messages(pool, "jane")
    assert message["kind"] == "SIGN_UP" and re.fullmatch(r"\d{6}", message["code"])
    assert (message["destination"], message["deliveryMedium"], message["attributeName"]) == ("jane@example.com", "EMAIL", "email")


def test_sign_up_errors(emulator, idp, pool):
    user = emulator.sign_up(pool)
    with raises("UsernameExistsException"):
        emulator.sign_up(pool, username=user)
    with raises("InvalidPasswordException", "Password did not conform with policy"):
        idp.sign_up(ClientId=pool["clientId"], Username="weak", Password="password")
    with raises("InvalidParameterException", "does not exist in the schema"):
        idp.sign_up(ClientId=pool["clientId"], Username="odd", Password=PASSWORD, UserAttributes=[{"Name": "custom:nope", "Value": "x"}])
    with raises("ResourceNotFoundException"):
        idp.sign_up(ClientId="nosuchclient", Username="x", Password=PASSWORD)


def test_confirm_sign_up_checks_the_code(emulator, idp, pool):
    user = emulator.sign_up(pool)
    code = emulator.last_code(pool, user, "SIGN_UP")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with raises("CodeMismatchException"):
        idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=wrong)
    idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=code)
    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool["userPoolId"], Username=user)["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    with raises("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"):
        idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=code)
    assert emulator.login(pool, user)["AuthenticationResult"]["AccessToken"]


def test_confirm_sign_up_expired_code(emulator, idp, pool):
    user = emulator.sign_up(pool)
    code = emulator.last_code(pool, user, "SIGN_UP")
    emulator.expire_codes(pool, user)
    with raises("ExpiredCodeException"):
        idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=code)


def test_confirm_sign_up_unknown_user(emulator, idp, pool):
    with raises("CodeMismatchException"):
        idp.confirm_sign_up(ClientId=pool["clientId"], Username="ghost", ConfirmationCode="123456")
    idp.update_user_pool_client(UserPoolId=pool["userPoolId"], ClientId=pool["clientId"], PreventUserExistenceErrors="LEGACY")
    with raises("UserNotFoundException"):
        idp.confirm_sign_up(ClientId=pool["clientId"], Username="ghost", ConfirmationCode="123456")


def test_resend_confirmation_code(emulator, idp, pool):
    user = emulator.sign_up(pool)
    old = emulator.last_code(pool, user, "SIGN_UP")
    response = idp.resend_confirmation_code(ClientId=pool["clientId"], Username=user)
    assert response["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    new = emulator.last_code(pool, user, "SIGN_UP")
    if old != new:  # one in a million they collide
        with raises("CodeMismatchException"):
            idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=old)
    idp.confirm_sign_up(ClientId=pool["clientId"], Username=user, ConfirmationCode=new)
    with raises("InvalidParameterException", "User is already confirmed."):
        idp.resend_confirmation_code(ClientId=pool["clientId"], Username=user)


def test_resend_for_unknown_user_is_simulated(emulator, idp, pool):
    response = idp.resend_confirmation_code(ClientId=pool["clientId"], Username="ghost")
    assert set(response["CodeDeliveryDetails"]) == {"Destination", "DeliveryMedium", "AttributeName"}
    assert emulator.messages(pool) == []


def test_client_secret_requires_secret_hash(emulator, idp):
    pool = emulator.new_pool(clientSecret=True)
    with raises("NotAuthorizedException", "configured for secret"):
        idp.sign_up(ClientId=pool["clientId"], Username="sam", Password=PASSWORD)
    with raises("NotAuthorizedException", "Unable to verify secret hash"):
        idp.sign_up(ClientId=pool["clientId"], Username="sam", Password=PASSWORD, SecretHash="bad")
    emulator.sign_up(pool, username="sam", SecretHash=secret_hash(pool, "sam"))
    idp.confirm_sign_up(
        ClientId=pool["clientId"],
        Username="sam",
        ConfirmationCode=emulator.last_code(pool, "sam", "SIGN_UP"),
        SecretHash=secret_hash(pool, "sam"),
    )
