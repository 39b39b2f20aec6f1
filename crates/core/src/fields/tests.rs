use super::*;

fn facts() -> Placeholders<'static> {
    Placeholders {
        title: "Checkout down",
        severity: "P1",
        id: "7d3c",
    }
}

fn rule(name: &str, required: bool, allowed: &[&str]) -> FieldRule {
    FieldRule {
        name: name.into(),
        label: name.to_uppercase(),
        required,
        allowed: allowed
            .iter()
            .map(|v| AllowedValue {
                value: (*v).into(),
                label: format!("The {v}"),
            })
            .collect(),
        default_value: None,
        reference: None,
        identity: false,
    }
}

fn rules(fields: Vec<FieldRule>) -> FieldRules {
    FieldRules {
        scope: "incident".into(),
        fetched_at: "t".into(),
        fields,
    }
}

#[test]
fn placeholders_are_filled_in_and_braces_can_be_written() {
    assert_eq!(
        expand("f", "[{severity}] {title} ({id}) {{x}}", &facts()).unwrap(),
        "[P1] Checkout down (7d3c) {x}"
    );
    assert_eq!(expand("f", "plain é", &facts()).unwrap(), "plain é");
}

#[test]
fn an_unknown_placeholder_or_a_stray_brace_names_the_field() {
    for bad in ["{owner}", "{title", "title}", "{}"] {
        let e = expand("category", bad, &facts()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
        assert!(e.to_string().contains("category"), "{e}");
    }
}

#[test]
fn a_label_becomes_its_value_and_anything_else_is_refused_with_the_list() {
    let r = rule("category", false, &["software", "network"]);
    assert_eq!(allowed_value(&r, "software").unwrap(), "software");
    assert_eq!(allowed_value(&r, "the NETWORK").unwrap(), "network");
    let e = allowed_value(&r, "hardware").unwrap_err().to_string();
    assert!(
        e.contains("category") && e.contains("software (The software), network"),
        "{e}"
    );
}

#[test]
fn a_missing_required_field_is_named_with_its_allowed_values() {
    let rules = rules(vec![
        rule("short_description", true, &[]),
        rule("u_area", true, &["Checkout", "Payments"]),
        rule("category", false, &["software"]),
    ]);
    let body: BTreeMap<String, String> = [("short_description".to_owned(), "x".to_owned())].into();
    let e = check(&rules, &body, |_| false, "Set it.").unwrap_err();
    match &e {
        Error::InvalidInput { field, message, .. } => {
            assert_eq!(field, "u_area");
            assert!(
                message.contains("Checkout (The Checkout), Payments (The Payments)"),
                "{message}"
            );
            assert!(message.contains("Nothing was sent"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn defaults_and_fields_the_service_fills_satisfy_a_requirement() {
    let mut with_default = rule("state", true, &["New"]);
    with_default.default_value = Some("New".into());
    let rules = rules(vec![with_default, rule("System.Id", true, &[])]);
    check(&rules, &BTreeMap::new(), |n| n == "System.Id", "").unwrap();
    assert!(check(&rules, &BTreeMap::new(), |_| false, "").is_err());
}

#[test]
fn a_value_outside_the_list_is_refused_even_when_optional() {
    let rules = rules(vec![rule("category", false, &["software"])]);
    let body: BTreeMap<String, String> = [("category".to_owned(), "food".to_owned())].into();
    let e = check(&rules, &body, |_| false, "").unwrap_err().to_string();
    assert!(
        e.contains("'food' is not allowed") && e.contains("software"),
        "{e}"
    );
}
