//! TEMPORARY stub until the parser lands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    Part,
    Chapter,
    Section,
    Article,
    Clause,
    Point,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Provision {
    pub kind: ProvisionKind,
    pub number: String,
    pub path: String,
    pub heading: Option<String>,
    pub text: String,
    #[schema(no_recursion)]
    pub children: Vec<Provision>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatProvision {
    pub ord: i32,
    pub depth: i32,
    pub kind: ProvisionKind,
    pub number: String,
    pub path: String,
    pub heading: Option<String>,
    pub text: String,
}
pub fn parse(_text: &str) -> Vec<Provision> {
    vec![]
}
pub fn flatten(_tree: &[Provision]) -> Vec<FlatProvision> {
    vec![]
}
pub fn find<'a>(_tree: &'a [Provision], _path: &str) -> Option<&'a Provision> {
    None
}
