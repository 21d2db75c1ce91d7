/** A `<select>` of `options` (value, label), with `selected` chosen. */
export function selectElement(
  options: readonly (readonly [value: string, label: string])[],
  selected?: string
): HTMLSelectElement {
  const select = document.createElement('select');
  for (const [value, label] of options) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    option.selected = value === selected;
    select.appendChild(option);
  }
  return select;
}
