"""Create the S3 store's bucket in a moto server for the S3 store tests, through boto3.

Usage: s3_setup.py ENDPOINT bucket BUCKET   create BUCKET (us-east-1)
       s3_setup.py ENDPOINT deny BUCKET     create BUCKET and an IAM user `reader` that may
                                            list and read it (s3:ListBucket, s3:GetObject)
                                            but not write, then enforce IAM from here on;
                                            prints its access key as JSON
"""

import json
import sys
import urllib.request

import boto3

endpoint, mode, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
kwargs = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
boto3.client("s3", **kwargs).create_bucket(Bucket=bucket)

if mode == "bucket":
    print("{}")
elif mode == "deny":
    iam = boto3.client("iam", **kwargs)
    iam.create_user(UserName="reader")
    statement = {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    # Not form-encoded: moto reads the raw body. From now on every request is checked.
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", headers=headers, method="POST")
    urllib.request.urlopen(request).read()
    print(json.dumps([key["AccessKeyId"], key["SecretAccessKey"]]))
else:
    sys.exit(f"unknown mode {mode}")
