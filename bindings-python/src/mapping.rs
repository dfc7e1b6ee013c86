//! The read-only mapping protocol shared by every record class, so that records work
//! with `dict(r)`, `r["email"]`, `r.to_dict()` and `pandas.DataFrame(list_of_records)`
//! (the Python layer registers the classes as `collections.abc.Mapping`).

/// Implements `to_dict`, `keys`, `values`, `items`, `get`, `__getitem__`,
/// `__contains__`, `__iter__`, `__len__` and `__repr__` over the named attributes.
macro_rules! record_mapping {
    ($class:ty, $name:literal, [$($field:literal),* $(,)?]) => {
        impl $class {
            /// The attribute names, in order: the keys of the mapping.
            pub const FIELDS: &'static [&'static str] = &[$($field),*];
        }

        #[pyo3::pymethods]
        impl $class {
            /// The record as a plain dict (field name → value).
            fn to_dict<'py>(
                slf: &pyo3::Bound<'py, Self>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::types::PyDict>> {
                use pyo3::types::PyAnyMethods;
                let dict = pyo3::types::PyDict::new(slf.py());
                for field in Self::FIELDS {
                    pyo3::types::PyDictMethods::set_item(&dict, *field, slf.getattr(*field)?)?;
                }
                Ok(dict)
            }

            /// The field names.
            fn keys(&self) -> Vec<&'static str> {
                Self::FIELDS.to_vec()
            }

            /// The field values, in key order.
            fn values<'py>(
                slf: &pyo3::Bound<'py, Self>,
            ) -> pyo3::PyResult<Vec<pyo3::Bound<'py, pyo3::PyAny>>> {
                use pyo3::types::PyAnyMethods;
                Self::FIELDS.iter().map(|f| slf.getattr(*f)).collect()
            }

            /// `(name, value)` pairs, in key order.
            fn items<'py>(
                slf: &pyo3::Bound<'py, Self>,
            ) -> pyo3::PyResult<Vec<(&'static str, pyo3::Bound<'py, pyo3::PyAny>)>> {
                use pyo3::types::PyAnyMethods;
                Self::FIELDS.iter().map(|f| Ok((*f, slf.getattr(*f)?))).collect()
            }

            /// The value of field `key`, or `default`.
            #[pyo3(signature = (key, default = None))]
            fn get<'py>(
                slf: &pyo3::Bound<'py, Self>,
                key: &str,
                default: Option<pyo3::Bound<'py, pyo3::PyAny>>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                use pyo3::types::PyAnyMethods;
                if Self::FIELDS.contains(&key) {
                    slf.getattr(key)
                } else {
                    Ok(default.unwrap_or_else(|| slf.py().None().into_bound(slf.py())))
                }
            }

            fn __getitem__<'py>(
                slf: &pyo3::Bound<'py, Self>,
                key: &str,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                use pyo3::types::PyAnyMethods;
                if Self::FIELDS.contains(&key) {
                    slf.getattr(key)
                } else {
                    Err(pyo3::exceptions::PyKeyError::new_err(key.to_string()))
                }
            }

            fn __contains__(&self, key: &str) -> bool {
                Self::FIELDS.contains(&key)
            }

            fn __iter__<'py>(
                slf: &pyo3::Bound<'py, Self>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, pyo3::PyAny>> {
                use pyo3::types::PyAnyMethods;
                pyo3::types::PyList::new(slf.py(), Self::FIELDS)?.try_iter().map(|i| i.into_any())
            }

            fn __len__(&self) -> usize {
                Self::FIELDS.len()
            }

            fn __repr__(slf: &pyo3::Bound<'_, Self>) -> pyo3::PyResult<String> {
                use pyo3::types::PyAnyMethods;
                let mut parts = Vec::new();
                for field in Self::FIELDS {
                    let value = slf.getattr(*field)?;
                    if !value.is_none() {
                        parts.push(format!("{}={}", field, value.repr()?));
                    }
                }
                Ok(format!("{}({})", $name, parts.join(", ")))
            }
        }
    };
}

pub(crate) use record_mapping;
