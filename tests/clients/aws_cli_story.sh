#!/usr/bin/env bash
# aws_cli_story.sh: the AWS CLI against `pinpoint-mock serve` (start it first).
set -euo pipefail
export AWS_ENDPOINT_URL=${PINPOINT_MOCK_URL:-http://localhost:4566}  # every service: Pinpoint, S3
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_RETRY_MODE=standard  # 3 attempts, as boto3's default (the CLI's own is 5, "legacy")
control() { curl -sSf -X POST "$AWS_ENDPOINT_URL/_pinpoint_mock/$1" -d "${2:-}"; echo; }

printf 'ChannelType,Address,User.UserId\nEMAIL,ana@example.com,user-1\nSMS,+15555550101,user-2\n' \
  > endpoints.csv
aws s3 mb s3://audience
aws s3 cp endpoints.csv s3://audience/in/endpoints.csv
app=$(aws pinpoint create-app --create-application-request Name=shop \
  --query ApplicationResponse.Id --output text)
job=$(aws pinpoint create-import-job --application-id "$app" --import-job-request '{
  "Format": "CSV", "S3Url": "s3://audience/in/endpoints.csv",
  "RoleArn": "arn:aws:iam::123456789012:role/PinpointImport",
  "DefineSegment": true, "SegmentName": "newsletter"}' --query ImportJobResponse.Id --output text)

control advance '{"seconds": 60}'  # the server's clock moves: no sleeping
segment=$(aws pinpoint get-import-job --application-id "$app" --job-id "$job" \
  --query ImportJobResponse.Definition.SegmentId --output text)
aws pinpoint get-segment-import-jobs --application-id "$app" --segment-id "$segment" \
  --query 'ImportJobsResponse.Item[0].[JobStatus,TotalProcessed]' --output text  # COMPLETED 2

# An injected 429: the CLI retries it, then reports TooManyRequestsException with exit status
# 255 (AWS CLI v1, the awscli package; v2 exits 254 for a service error).
control faults '{"operation": "GetSegmentImportJobs", "status": 429}'
status=0
aws pinpoint get-segment-import-jobs --application-id "$app" --segment-id "$segment" || status=$?
if [ "$status" -ne 255 ]; then
  echo "expected the CLI to exit 255 after the 429s, got $status" >&2; exit 1
fi
