//! Showing one secret of a user entry, on the user's explicit request. Everything else in Loupe
//! shows facts about credentials (kind, subject, expiry), never their values.

use super::Kubeconfig;
use crate::CoreError;
use base64::Engine as _;
use loupe_model::SecretField;
use serde_json::Value;

impl Kubeconfig {
    /// The value of `field` of user `user`: inline values as written (`*-data` decoded from
    /// base64 to PEM text), file references read from disk (relative to the defining file).
    pub fn reveal(&self, user: &str, field: SecretField) -> Result<String, CoreError> {
        let missing = || CoreError::NoSecret {
            user: user.to_string(),
            field: field_name(field),
        };
        let body = self.user_resolved(user).ok_or_else(missing)?;
        let text = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let read = |path: &str| {
            std::fs::read_to_string(path).map_err(|source| CoreError::ReadReferenced {
                path: path.into(),
                reason: source.to_string(),
            })
        };
        let decode = |data: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    CoreError::InvalidArgument(format!(
                        "{} of user {user:?} is not valid base64 text",
                        field_name(field)
                    ))
                })
        };
        match field {
            SecretField::Token => match (text("token"), text("tokenFile")) {
                (Some(t), _) => Ok(t.to_string()),
                (None, Some(p)) => read(p).map(|t| t.trim_end().to_string()),
                (None, None) => Err(missing()),
            },
            SecretField::Password => text("password").map(str::to_string).ok_or_else(missing),
            SecretField::ClientKey => match (text("client-key-data"), text("client-key")) {
                (Some(d), _) => decode(d),
                (None, Some(p)) => read(p),
                (None, None) => Err(missing()),
            },
            SecretField::ClientCertificate => {
                match (text("client-certificate-data"), text("client-certificate")) {
                    (Some(d), _) => decode(d),
                    (None, Some(p)) => read(p),
                    (None, None) => Err(missing()),
                }
            }
        }
    }
}

fn field_name(field: SecretField) -> &'static str {
    match field {
        SecretField::Token => "token",
        SecretField::Password => "password",
        SecretField::ClientKey => "client-key",
        SecretField::ClientCertificate => "client-certificate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::LoadRules;

    #[test]
    fn reveals_inline_file_and_base64_values_and_names_what_is_missing() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("tok"), "from-file\n").unwrap();
        let pem = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n";
        let data = base64::engine::general_purpose::STANDARD.encode(pem);
        let kc_path = d.path().join("config");
        std::fs::write(
            &kc_path,
            format!(
                "apiVersion: v1\nkind: Config\nusers:\n- name: inline\n  user: {{token: s3cret, client-key-data: {data}}}\n- name: file\n  user: {{tokenFile: tok, password: pw}}\n"
            ),
        )
        .unwrap();
        let kc = Kubeconfig::load(&LoadRules {
            explicit: Some(kc_path),
            ..LoadRules::default()
        });
        assert_eq!(kc.reveal("inline", SecretField::Token).unwrap(), "s3cret");
        assert_eq!(kc.reveal("inline", SecretField::ClientKey).unwrap(), pem);
        assert_eq!(kc.reveal("file", SecretField::Token).unwrap(), "from-file");
        assert_eq!(kc.reveal("file", SecretField::Password).unwrap(), "pw");
        let e = kc
            .reveal("file", SecretField::ClientCertificate)
            .unwrap_err();
        assert_eq!(e.to_string(), "user \"file\" has no client-certificate");
        assert!(kc.reveal("nobody", SecretField::Token).is_err());
    }
}
