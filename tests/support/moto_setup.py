"""Create what an ECS test needs in a moto server: a cluster, a Fargate task definition and
moto's default-VPC subnet and security group; make tasks run and stop by time (moto's state
manager), like a real job that runs and ends. Prints JSON with the ids.

Usage: moto_setup.py ENDPOINT [SECONDS_PER_STATUS]
"""

import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
kwargs = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
ec2 = boto3.client("ec2", **kwargs)
ecs = boto3.client("ecs", **kwargs)
subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
ecs.create_cluster(clusterName="data")
ecs.register_task_definition(
    family="etl",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="1024",
    memory="2048",
    # moto needs container-level memory to place the task.
    containerDefinitions=[{"name": "app", "image": "etl:1", "memory": 2048, "essential": True}],
)
request = urllib.request.Request(
    endpoint + "/moto-api/state-manager/set-transition",
    data=json.dumps({"model_name": "ecs::task", "transition": {"progression": "time", "seconds": seconds}}).encode(),
    method="POST",
)
urllib.request.urlopen(request).read()
print(json.dumps({"subnet": subnet, "security_group": group}))
