"""AWS-shaped Cognito errors (HTTP 400, X-Amzn-ErrorType and {"__type", "message"} body).

moto's JsonRESTError already serialises like AWS; these name the exceptions moto lacks and
carry the messages real Cognito uses.
"""

from moto.core.exceptions import JsonRESTError


class CognitoError(JsonRESTError):
    def __init__(self, message: str):
        super().__init__(type(self).__name__, message)


class NotAuthorizedException(CognitoError):
    pass


class UserNotFoundException(CognitoError):
    pass


class UsernameExistsException(CognitoError):
    pass


class UserNotConfirmedException(CognitoError):
    pass


class PasswordResetRequiredException(CognitoError):
    pass


class InvalidParameterException(CognitoError):
    pass


class InvalidPasswordException(CognitoError):
    pass


class CodeMismatchException(CognitoError):
    pass


class ExpiredCodeException(CognitoError):
    pass


class EnableSoftwareTokenMFAException(CognitoError):
    pass


class SoftwareTokenMFANotFoundException(CognitoError):
    pass


class ResourceNotFoundException(CognitoError):
    pass


class UnauthorizedException(CognitoError):
    pass


class UnsupportedOperationException(CognitoError):
    pass


class UnsupportedTokenTypeException(CognitoError):
    pass


class FeatureUnavailableInTierException(CognitoError):
    pass


class LimitExceededException(CognitoError):
    pass


INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
WRONG_CREDENTIALS = "Incorrect username or password."
WRONG_CODE = "Invalid verification code provided, please try again."
WRONG_CODE_OR_STATE = "Invalid code or auth state for the user."
EXPIRED_CODE = "Invalid code provided, please request a code again."
