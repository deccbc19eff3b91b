"""Create Glue jobs and runs in a moto server for the `import glue` tests, through boto3.
moto (5.2) finishes each run at once and reports ExecutionTime 123 and GlueVersion "0.9"
for every run, whatever the job says; it fills no DPUSeconds or ExecutionClass.

Usage: glue_setup.py ENDPOINT runs      jobs etl (10 x G.1X), shell (Python shell 0.0625
                                        DPU) and legacy (Standard, MaxCapacity 10), with
                                        2, 1 and 1 runs; prints their run ids as JSON
       glue_setup.py ENDPOINT running   job slow (2 x G.2X) with one run that moto's state
                                        manager moves STARTING -> RUNNING -> SUCCEEDED one
                                        step per read, so it is seen running first
       glue_setup.py ENDPOINT many      job hourly (2 x G.1X) with 205 runs: more than one
                                        GetJobRuns page (200 a page at most)
       glue_setup.py ENDPOINT deny      the jobs of `runs`, two IAM users (one may call
                                        glue:GetJobs only, one nothing), then IAM enforced
                                        from here on; prints their access keys as JSON
"""

import json
import sys
import urllib.request

import boto3

endpoint, mode = sys.argv[1], sys.argv[2]
kwargs = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
glue = boto3.client("glue", **kwargs)
script = {"Name": "glueetl", "ScriptLocation": "s3://bucket/job.py"}


def post(path, body):
    # Not form-encoded: moto reads the raw body.
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(endpoint + path, data=body.encode(), headers=headers, method="POST")
    urllib.request.urlopen(request).read()


def start(job, times):
    return [glue.start_job_run(JobName=job)["JobRunId"] for _ in range(times)]


def jobs_and_runs():
    glue.create_job(Name="etl", Role="r", Command=script, GlueVersion="4.0", WorkerType="G.1X", NumberOfWorkers=10)
    glue.create_job(Name="shell", Role="r", Command=dict(script, Name="pythonshell"), MaxCapacity=0.0625)
    glue.create_job(Name="legacy", Role="r", Command=script, MaxCapacity=10)
    return {"etl": start("etl", 2), "shell": start("shell", 1), "legacy": start("legacy", 1)}


if mode == "runs":
    print(json.dumps(jobs_and_runs()))
elif mode == "running":
    transition = {"progression": "manual", "times": 1}
    post("/moto-api/state-manager/set-transition", json.dumps({"model_name": "glue::job_run", "transition": transition}))
    glue.create_job(Name="slow", Role="r", Command=script, WorkerType="G.2X", NumberOfWorkers=2)
    print(json.dumps({"slow": start("slow", 1)}))
elif mode == "many":
    glue.create_job(Name="hourly", Role="r", Command=script, GlueVersion="2.0", WorkerType="G.1X", NumberOfWorkers=2)
    print(json.dumps({"hourly": len(start("hourly", 205))}))
elif mode == "deny":
    jobs_and_runs()
    iam = boto3.client("iam", **kwargs)
    keys = {}
    for user, actions in [("lister", ["glue:GetJobs"]), ("nobody", ["ecs:ListClusters"])]:
        iam.create_user(UserName=user)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        keys[user] = [key["AccessKeyId"], key["SecretAccessKey"]]
    post("/moto-api/reset-auth", "0")
    print(json.dumps(keys))
else:
    sys.exit(f"unknown mode {mode}")
