using System.Text.Json.Nodes;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The check that WardLink.http's answers are as the API document says (HttpFileTests) finds each kind of difference.</summary>
public sealed class DocumentedResponsesTests
{
    private static readonly DocumentedResponses Documented = new(JsonNode.Parse("""
        {
          "paths": {
            "/api/tips/{id}": { "get": { "responses": {
              "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Tip" } } } },
              "404": { "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } } } },
            "/api/tips/stats": { "get": { "responses": { "200": { "content": { "application/json": { "schema": {
              "type": "object", "additionalProperties": { "type": "integer" } } } } } } } }
          },
          "components": { "schemas": {
            "Tip": { "type": "object", "required": ["id", "status"], "properties": {
              "id": { "type": "string", "maxLength": 36 },
              "status": { "type": "string", "enum": ["received", "assessed"] },
              "rank": { "type": "integer", "minimum": 1, "maximum": 9 },
              "note": { "type": ["null", "string"] },
              "tags": { "type": "array", "maxItems": 2, "items": { "type": "string" } } } },
            "Base": { "type": "object", "properties": { "title": { "type": "string" } } },
            "Problem": { "allOf": [ { "$ref": "#/components/schemas/Base" }, { "type": "object", "properties": { "errors": { "type": "object" } } } ] }
          } }
        }
        """)!.AsObject());

    [Theory]
    [InlineData("""{ "id": "a", "status": "received", "note": null, "tags": ["x"] }""")]
    [InlineData("""{ "id": "a", "status": "assessed" }""")]
    [InlineData("""{ "id": "00-4f8b35bda680643bb0ea26b905c67c1", "status": "assessed", "rank": 9, "tags": ["x", "y"] }""")]
    public void An_answer_as_documented_passes(string body) =>
        Assert.Empty(Documented.Check("GET", "/api/tips/0195d000-0000-7000-8000-000000000001", 200, "application/json", body));

    [Theory]
    [InlineData(200, """{ "id": "a", "status": "received", "secret": "x" }""", "$.secret: answered, not in the document")]
    [InlineData(200, """{ "id": "a" }""", "$.status: required, missing")]
    [InlineData(200, """{ "id": 7, "status": "received" }""", "$.id: integer where the document says string")]
    [InlineData(200, """{ "id": "a", "status": "Received" }""", "$.status: \"Received\" is not one of")]
    [InlineData(200, """{ "id": "a", "status": "received", "tags": [1] }""", "$.tags[0]: integer where the document says string")]
    [InlineData(200, """{ "id": "00-4f8b35bda680643bb0ea26b905c67c14-75170224650d12cc-01", "status": "received" }""", "$.id: 55 characters")]
    [InlineData(200, """{ "id": "a", "status": "received", "tags": ["x", "y", "z"] }""", "$.tags: 3 items where the document says at most 2")]
    [InlineData(200, """{ "id": "a", "status": "received", "rank": 0 }""", "$.rank: 0 where the document says at least 1")]
    [InlineData(200, """{ "id": "a", "status": "received", "rank": 10 }""", "$.rank: 10 where the document says at most 9")]
    [InlineData(500, """{ "title": "boom" }""", "status 500 is not documented")]
    [InlineData(404, """{ "title": "gone", "errors": {}, "stack": "at …" }""", "$.stack: answered, not in the document")]
    public void Each_kind_of_difference_is_found(int status, string body, string expected)
    {
        var mediaType = status == 200 ? "application/json" : "application/problem+json";
        var problems = Documented.Check("GET", "/api/tips/0195d000-0000-7000-8000-000000000001", status, mediaType, body);

        Assert.Contains(problems, problem => problem.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_path_wins_over_a_parameter_and_a_map_s_values_are_checked()
    {
        Assert.Empty(Documented.Check("GET", "/api/tips/stats?year=2024", 200, "application/json", """{ "received": 3 }"""));
        Assert.Contains("$.received: string where the document says integer", Documented.Check("GET", "/api/tips/stats", 200, "application/json", """{ "received": "3" }"""));
        Assert.Contains("GET /api/incidents is not in the document", Documented.Check("GET", "/api/incidents", 200, "application/json", "[]"));
    }
}
