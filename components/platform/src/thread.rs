//! The shape of a `publish` call on a platform with threads (WIT `platform.publish`): part
//! k > 0 replies to part k - 1, and `earlier` holds exactly the parts published before it.
//! Kept once so that every threaded platform refuses a call that does not fit the post
//! the same way, before anything is sent.

use crate::types::{Post, PublishError, PublishedPart};

/// The text of part `part` of `post` and the id it replies to (`None` for part 0): checks
/// that `part` is within `post.parts` and that `earlier` holds exactly the `part` parts
/// published before it, its last (the parent) with a non-empty id. `id_name` names that id
/// in the message (`post id`, `status id`).
///
/// # Errors
/// `invalid`, saying which of those does not hold.
pub fn part_to_publish<'a>(
    post: &'a Post,
    part: u32,
    earlier: &'a [PublishedPart],
    id_name: &str,
) -> Result<(&'a str, Option<&'a str>), PublishError> {
    let count = post.parts.len();
    let index = usize::try_from(part).unwrap_or(usize::MAX);
    let Some(text) = post.parts.get(index) else {
        return Err(PublishError::Invalid(format!(
            "part {part} is out of range: the post has {count} part{}",
            if count == 1 { "" } else { "s" }
        )));
    };
    if earlier.len() != index {
        return Err(PublishError::Invalid(format!(
            "part {part} needs {index} earlier published part{} (one for each part before it), but got {}",
            if index == 1 { "" } else { "s" },
            earlier.len()
        )));
    }
    let parent = match earlier.last() {
        None => None,
        Some(parent) if parent.id.is_empty() => {
            return Err(PublishError::Invalid(format!(
                "part {part} replies to part {}, whose {id_name} is empty",
                index.saturating_sub(1)
            )))
        }
        Some(parent) => Some(parent.id.as_str()),
    };
    Ok((text.as_str(), parent))
}
