"""Makes the rate limits' counters table on a local DynamoDB (the emulator's endpoint), as template.yaml
makes it: on-demand, key `pk` (string), TTL on `expires_at`. Usage: limits-table.py <endpoint> <table>"""

import sys

import boto3

endpoint, table = sys.argv[1:]
dynamodb = boto3.client(
    "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local"
)
dynamodb.create_table(
    TableName=table,
    BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
)
dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
