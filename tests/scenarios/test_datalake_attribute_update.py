"""An AWS solutions architect's "Amazon Pinpoint Data Lake Powered Segmentation": an Athena query
selects endpoint Ids and attribute values, its CSV result is imported into Pinpoint with
DefineSegment false and no RegisterEndpoints, "to keep data in Amazon Pinpoint up-to-date";
a status step polls GetImportJob.

Source: Ryanjlowe/amazon-pinpoint-datalake-segmentation, README.md (the Id-plus-attributes file
format and the example queries) and template.yaml (ImportSegmentLambda: CreateImportJob with
``DefineSegment: False``, Format CSV, the query's OutputLocation as S3Url;
ImportSegmentStatusLambda: GetImportJob's JobStatus). Athena writes every CSV value in double
quotes, header included. Paraphrased; the data is invented.
"""

from __future__ import annotations

from typing import Any

from tests.scenarios.conftest import ROLE_ARN


def import_results(client: Any, project_id: str, output_location: str) -> str:
    """ImportSegmentLambda."""
    response = client.create_import_job(ApplicationId=project_id, ImportJobRequest={
        "DefineSegment": False, "Format": "CSV", "RoleArn": ROLE_ARN,
        "S3Url": output_location})
    return str(response["ImportJobResponse"]["Id"])


def test_a_query_result_updates_the_attributes_of_existing_endpoints(
    pinpoint_imports: Any, pinpoint_client: Any, project_id: str, s3: Any
) -> None:
    """The endpoints exist (made by the app with UpdateEndpoint); the import of Ids and
    attributes updates them member by member, and an Id Pinpoint does not have is a row
    failure (an update needs ChannelType and Address to create it)."""
    for endpoint_id, address in (("123abc", "lee@example.com"), ("456def", "kai@example.com")):
        pinpoint_client.update_endpoint(
            ApplicationId=project_id, EndpointId=endpoint_id,
            EndpointRequest={"ChannelType": "EMAIL", "Address": address,
                             "User": {"UserAttributes": {"LifecycleStage": ["Trial"]}}})
    result = (b'"Id","User.UserAttributes.LifecycleStage","Attributes.NumEmailsOpenedLast30Days"\n'
              b'"123abc","Renewal","43"\n'
              b'"456def","Upsell","7"\n'
              b'"999zzz","Renewal","1"\n')
    location = "s3://audience-drop/athena/1b2c3d4e-query.csv"
    s3.put_object(Bucket="audience-drop", Key="athena/1b2c3d4e-query.csv", Body=result)
    s3.put_object(Bucket="audience-drop", Key="athena/1b2c3d4e-query.csv.metadata", Body=b"\x00")
    import_id = import_results(pinpoint_client, project_id, location)
    while True:
        pinpoint_imports.advance(30)
        job = pinpoint_client.get_import_job(ApplicationId=project_id,
                                             JobId=import_id)["ImportJobResponse"]
        if job["JobStatus"] in ("COMPLETED", "FAILED"):
            break
    assert (job["JobStatus"], job["TotalProcessed"], job["TotalFailures"]) == ("COMPLETED", 3, 1)
    assert job["Failures"] == [
        f"{location} line 4: no endpoint with Id '999zzz' exists to update, so ChannelType and "
        "Address are required."]
    updated = pinpoint_client.get_endpoint(ApplicationId=project_id,
                                           EndpointId="123abc")["EndpointResponse"]
    assert updated["User"] == {"UserAttributes": {"LifecycleStage": ["Renewal"]}}
    assert updated["Attributes"] == {"NumEmailsOpenedLast30Days": ["43"]}
    assert (updated["ChannelType"], updated["Address"]) == ("EMAIL", "lee@example.com")
    assert pinpoint_client.get_segments(ApplicationId=project_id)["SegmentsResponse"][
        "Item"] == []
