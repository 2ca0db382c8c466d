use super::tokens::Prepared;
use super::{Aliases, Entity};
pub fn extract(_p: &Prepared, _aliases: &Aliases) -> Vec<Entity> {
    Vec::new()
}
