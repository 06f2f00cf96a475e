// story.mjs: the JavaScript SDK v3 against `pinpoint-mock serve` (start it first), run with
// `node story.mjs` in a project with @aws-sdk/client-pinpoint and @aws-sdk/client-s3.
import assert from "node:assert/strict";
import {
  CreateAppCommand, CreateImportJobCommand, GetImportJobCommand, GetSegmentImportJobsCommand,
  PinpointClient, TooManyRequestsException,
} from "@aws-sdk/client-pinpoint";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

const endpoint = process.env.PINPOINT_MOCK_URL ?? "http://localhost:4566";
const config = {
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
};
const s3 = new S3Client({ ...config, forcePathStyle: true }); // bucket in the path, not the host
const pinpoint = new PinpointClient(config);
const control = async (method, path, body) => {
  const response = await fetch(`${endpoint}/_pinpoint_mock/${path}`,
    { method, body: body && JSON.stringify(body) });
  return response.json();
};

await s3.send(new CreateBucketCommand({ Bucket: "audience" }));
await s3.send(new PutObjectCommand({
  Bucket: "audience", Key: "in/endpoints.csv",
  Body: "ChannelType,Address,User.UserId\nEMAIL,ana@example.com,user-1\nSMS,+15555550101,user-2\n",
}));
const app = await pinpoint.send(new CreateAppCommand({
  CreateApplicationRequest: { Name: "shop" },
}));
const ApplicationId = app.ApplicationResponse.Id;
const created = await pinpoint.send(new CreateImportJobCommand({
  ApplicationId,
  ImportJobRequest: {
    Format: "CSV", S3Url: "s3://audience/in/endpoints.csv",
    RoleArn: "arn:aws:iam::123456789012:role/PinpointImport",
    DefineSegment: true, SegmentName: "newsletter",
  },
}));
assert.equal(created.ImportJobResponse.JobStatus, "CREATED");

await control("POST", "advance", { seconds: 60 }); // the server's clock moves: no sleeping
const job = await pinpoint.send(new GetImportJobCommand({
  ApplicationId, JobId: created.ImportJobResponse.Id,
}));
const SegmentId = job.ImportJobResponse.Definition.SegmentId;
const listed = await pinpoint.send(new GetSegmentImportJobsCommand({ ApplicationId, SegmentId }));
assert.equal(listed.ImportJobsResponse.Item[0].JobStatus, "COMPLETED");
assert.equal(listed.ImportJobsResponse.Item[0].TotalProcessed, 2);

// An injected 429: the SDK retries it (3 attempts in all), then throws the modeled exception.
await control("POST", "faults", { operation: "GetSegmentImportJobs", status: 429 });
await assert.rejects(
  pinpoint.send(new GetSegmentImportJobsCommand({ ApplicationId, SegmentId })),
  (error) => error instanceof TooManyRequestsException && error.$metadata.attempts === 3,
);
const { faults } = await control("GET", "faults");
assert.equal(faults[0].fired, 3);
console.log("JavaScript SDK v3: import job COMPLETED, 429 became TooManyRequestsException");
