"""UpdateUserAttributes, attribute verification codes, DeleteUserAttributes."""

from conftest import raises


def attributes(idp, token: str) -> dict:
    return {a["Name"]: a["Value"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}


def test_changed_email_must_be_verified_again(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    response = idp.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.net"}, {"Name": "custom:team", "Value": "red"}]
    )
    assert response["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***.net", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    current = attributes(idp, token)
    assert (current["email"], current["email_verified"], current["custom:team"]) == ("new@example.net", "false", "red")
    message = emulator.messages(pool, user)[-1]
    assert (message["kind"], message["attributeName"], message["destination"]) == ("VERIFY_ATTRIBUTE", "email", "new@example.net")
    with raises("CodeMismatchException"):
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=f"{(int(message['code']) + 1) % 10**6:06d}")
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert attributes(idp, token)["email_verified"] == "true"


def test_unchanged_or_other_attributes_send_nothing(emulator, idp, pool):
    user = emulator.confirmed_user(pool, email="same@example.com")
    token = emulator.tokens(pool, user)["AccessToken"]
    sent = len(emulator.messages(pool, user))
    response = idp.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "same@example.com"}, {"Name": "name", "Value": "Sam"}]
    )
    assert "CodeDeliveryDetailsList" not in response
    assert len(emulator.messages(pool, user)) == sent and attributes(idp, token)["email_verified"] == "true"


def test_changed_phone_gets_an_sms_code(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    response = idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "phone_number", "Value": "+447700900123"}])
    assert response["CodeDeliveryDetailsList"][0] == {"Destination": "+********0123", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    code = emulator.last_code(pool, user, "VERIFY_ATTRIBUTE")
    idp.verify_user_attribute(AccessToken=token, AttributeName="phone_number", Code=code)
    assert attributes(idp, token)["phone_number_verified"] == "true"


def test_invalid_updates_are_rejected(emulator, idp, pool):
    token = emulator.tokens(pool, emulator.confirmed_user(pool))["AccessToken"]
    for bad in ({"Name": "custom:nope", "Value": "x"}, {"Name": "sub", "Value": "x"}, {"Name": "email", "Value": "not-an-email"}):
        with raises("InvalidParameterException"):
            idp.update_user_attributes(AccessToken=token, UserAttributes=[bad])


def test_verification_code_on_request_and_expiry(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    details = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")["CodeDeliveryDetails"]
    assert details["AttributeName"] == "email" and details["DeliveryMedium"] == "EMAIL"
    code = emulator.last_code(pool, user, "VERIFY_ATTRIBUTE")
    emulator.expire_codes(pool, user)
    with raises("ExpiredCodeException"):
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    with raises("InvalidParameterException"):  # no phone number on this user
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")


def test_delete_user_attributes(emulator, idp, pool):
    user = emulator.confirmed_user(pool)
    emulator.set_phone(pool, user)
    token = emulator.tokens(pool, user)["AccessToken"]
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "name", "Value": "Pat"}])
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["phone_number", "name"])
    current = attributes(idp, token)
    assert not {"phone_number", "phone_number_verified", "name"} & set(current) and "email" in current
    for bad in ("sub", "custom:nope"):
        with raises("InvalidParameterException"):
            idp.delete_user_attributes(AccessToken=token, UserAttributeNames=[bad])


def test_deleting_an_attribute_the_user_lacks_succeeds(emulator, idp, pool):
    """AWS answers 200 when the attribute is in the schema but not on the user (moto raised)."""
    user = emulator.confirmed_user(pool)
    token = emulator.tokens(pool, user)["AccessToken"]
    before = attributes(idp, token)
    assert "phone_number" not in before and "name" not in before
    response = idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["phone_number", "name"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    idp.admin_delete_user_attributes(UserPoolId=pool["userPoolId"], Username=user, UserAttributeNames=["name", "custom:team"])
    assert attributes(idp, token) == before
    # The admin call keeps the real checks.
    for bad in ("sub", "custom:nope"):
        with raises("InvalidParameterException"):
            idp.admin_delete_user_attributes(UserPoolId=pool["userPoolId"], Username=user, UserAttributeNames=[bad])
    idp.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "name", "Value": "Pat"}])
    idp.admin_delete_user_attributes(UserPoolId=pool["userPoolId"], Username=user, UserAttributeNames=["name"])
    assert "name" not in attributes(idp, token)
