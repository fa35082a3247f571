using System.Text.Json.Nodes;
using WardLink.Testing;

namespace WardLink.UnitTests;

/// <summary>The document checkers the suites rely on find what they look for wherever it stands, named by its JSON pointer.</summary>
public sealed class DocumentCheckersTests
{
    private static readonly JsonObject Document = JsonNode.Parse("""
        {
          "paths": { "/tips": { "post": { "responses": { "400": { "headers": { "Retry-After": { "schema": { "type": "integer", "minimum": 1, "maximum": 5 } } } } },
            "parameters": [ { "name": "q", "schema": { "type": "string" } },
              { "name": "year", "in": "query", "schema": { "type": "integer", "format": "int32", "minimum": 1970, "maximum": 2100 } } ] } } },
          "components": { "schemas": {
            "Verdict": { "type": ["null", "string"], "enum": ["valuable", "prank"] },
            "Any": {}, "AnyButNull": { "not": { "type": "null" } },
            "Entry": { "type": "object", "properties": { "data": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Any" } ] },
              "state": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/AnyButNull" } ] } }, "additionalProperties": false },
            "Page": { "type": "object", "properties": { "items": { "type": "array" }, "total": { "type": "integer", "maximum": 5 }, "hours": { "type": ["null", "number"], "maximum": 24 },
              "byHour": { "type": "object" }, "free": { "type": "object", "additionalProperties": true } } } } }
        }
        """)!.AsObject();

    [Fact]
    public void The_limits_checker_names_every_unbounded_text_integer_and_list_an_integer_of_no_format_a_number_with_no_least_a_shape_unsaid_an_operation_without_success_and_a_query_number_without_its_pattern() =>
        Assert.Equal(
            [
                "POST /tips: no success response",
                "#/paths/~1tips/post/parameters/1/schema: a whole number read from text without the pattern of its digits",
                "#/paths/~1tips/post/responses/400/headers/Retry-After/schema: an integer without the format int32 or int64",
                "#/paths/~1tips/post/parameters/0/schema: a text without maxLength",
                "#/components/schemas/Page/properties/items: a list without maxItems",
                "#/components/schemas/Page/properties/items: a list that does not say what its items are",
                "#/components/schemas/Page/properties/total: an integer without minimum and maximum",
                "#/components/schemas/Page/properties/total: an integer without the format int32 or int64",
                "#/components/schemas/Page/properties/hours: a number without minimum",
                "#/components/schemas/Page/properties/byHour: an object that says neither its properties nor its members' values (additionalProperties: true where any are)",
            ],
            DocumentedLimits.MissingIn(Document));

    [Fact]
    public void The_nulls_checker_names_a_nullable_enum_that_refuses_null_and_a_oneOf_a_null_matches_twice() =>
        Assert.Equal(
            [
                "#/components/schemas/Verdict: its type allows null, its enum [\"valuable\",\"prank\"] does not",
                "#/components/schemas/Entry/properties/data: more than one of its oneOf takes null, so null matches none of them alone",
            ],
            DocumentedNulls.RefusedIn(Document));
}
